/* Admin additions for screen readers, where Django's own admin scripts fall short.
 *
 * The "filter" icons of the two-box pickers (SelectFilter2.js, e.g. a group's permissions) carry an aria-label
 * on a plain <span>, where ARIA does not allow one (axe: aria-prohibited-attr). Named as images, they keep
 * their text. The pickers are built on window "load", so new ones are watched for.
 */
(function () {
  "use strict";

  function nameIcons(root) {
    root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  nameIcons(document);
  new MutationObserver(function () { nameIcons(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
