"use strict";
// The API documentation page (templates/api/docs.html), loaded after Swagger UI and before drf-spectacular's
// set-up script, which calls SwaggerUIBundle(options).
//
// Swagger UI draws each operation's path as a link (its "deep link") inside the button that opens the operation:
// a link inside a button is two focusable things in one (axe's nested-interactive), and a screen reader announces
// neither properly. Our plugin draws the path as plain text; the button still opens the operation, and with
// deepLinking on, Swagger still writes the operation's address in the URL's #fragment when it opens, so an
// address to one operation can still be copied and shared.
(() => {
  const bundle = window.SwaggerUIBundle;
  if (!bundle) {
    return;
  }
  const plainPath = (system) => ({
    components: {
      DeepLink: ({ text }) => system.React.createElement("span", null, text),
    },
  });
  // "Try it out" shows a list for each parameter with fixed values (level, lang, …) without a label: each list is
  // named after its parameter, as it is drawn (Swagger draws an operation's fields only when it is opened).
  const nameParameterLists = () => {
    for (const list of document.querySelectorAll("tr[data-param-name] select:not([aria-label])")) {
      list.setAttribute("aria-label", list.closest("tr").dataset.paramName);
    }
  };
  new MutationObserver(nameParameterLists).observe(document.documentElement, { childList: true, subtree: true });
  const withPlainPath = (options) => bundle({ ...options, plugins: [...(options.plugins || []), plainPath] });
  // Keep what hangs on the function (presets, plugins), which the set-up script reads as SwaggerUIBundle.presets.
  window.SwaggerUIBundle = Object.assign(withPlainPath, bundle);
})();
