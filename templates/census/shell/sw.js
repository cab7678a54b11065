/* The entry pages' service worker (census/views/shell.py): keeps their script, styles and the pages last seen,
   so that an entry page opens with no connection and its outbox (static/js/outbox.js) can take saves.
   Pages: network first, the copy last seen when the network fails. Static files: the cached copy first.
   Nothing else is touched: the API, sign-in and every POST always go to the network. */
"use strict";

var VERSION = "{{ version|escapejs }}";
var PAGES = "census-pages-" + VERSION;
var FILES = "census-files-" + VERSION;
var SHELL = [{% for url in files %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
// The entry pages of every language: /kk/entry/..., /ru/entry/..., /en/entry/...
var ENTRY_PAGE = /^\/[a-z]{2}\/entry\//;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(FILES).then(function (cache) {
      return cache.addAll(SHELL);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("census-") === 0 && name !== PAGES && name !== FILES;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && ENTRY_PAGE.test(url.pathname)) {
    event.respondWith(
      fetch(request).then(function (response) {
        // A page that sent the person to sign in is no copy of the entry page.
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(PAGES).then(function (cache) {
            cache.put(request, copy);
          });
        }
        return response;
      }).catch(function () {
        return caches.open(PAGES).then(function (cache) {
          // The very page, else the same page for another day (the form then switches days in place).
          return cache.match(request).then(function (found) {
            return found || cache.match(request, { ignoreSearch: true });
          });
        }).then(function (found) {
          return found || Response.error();
        });
      })
    );
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(
      caches.match(request).then(function (found) {
        return found || fetch(request);
      })
    );
  }
});
