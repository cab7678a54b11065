/* The outbox: entries saved while the server cannot be reached wait on this device (IndexedDB) and are sent later.

   A save that cannot reach the server is kept with a key made now (so that sending it twice writes it once)
   and the version of the record it was entered against (so that a change made meanwhile by someone else is
   a conflict, not overwritten). What waits is sent on page load, when the browser is back online, when the
   page becomes visible, every half minute while anything waits, and on "Send now", to
   POST /api/v1/daily-counts/batch/, which answers item by item.

   Without this file the pages work as before: the forms post and the server answers. The texts come from the
   page (data-msg-* attributes of #outbox), translated by the server. */
(function () {
  "use strict";

  var box = document.getElementById("outbox");
  if (!box || !window.indexedDB || !window.fetch) {
    return;
  }
  var USER = box.getAttribute("data-user");
  var BATCH_URL = box.getAttribute("data-batch-url");
  var LANGUAGE = document.documentElement.lang || "en";
  var RETRY_EVERY = 30000; // ms between attempts while anything waits
  var SAVE_TIMEOUT = 20000; // ms a form save may take before it counts as not having reached the server
  var MAX_PER_REQUEST = 100;
  var LAST_SENT = "census-outbox-last-sent:" + USER;
  var PAGES_KEPT_FOR = "census-pages-kept-for";
  var status = box.querySelector("[data-outbox-status]");
  var notice = box.querySelector("[data-outbox-notice]");
  var attention = box.querySelector("[data-outbox-attention]");
  var sendButton = box.querySelector("[data-outbox-send]");
  var sending = false;
  var timer = null;
  var csrfToken = null;

  function msg(name, values) {
    var text = box.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(String(values[key]));
    });
    return text;
  }

  // --- IndexedDB: one store of items, keyed by their idempotency key ----------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("census-outbox", 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore("items", { keyPath: "key" });
        store.createIndex("user", "user");
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("items", mode);
        var request = work(transaction.objectStore("items"));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function allItems() {
    return withStore("readonly", function (store) {
      return store.index("user").getAll(USER);
    }).then(function (items) {
      return items.sort(function (a, b) {
        return a.saved_at < b.saved_at ? -1 : 1;
      });
    });
  }

  function putItems(items) {
    return withStore("readwrite", function (store) {
      items.forEach(function (item) {
        store.put(item);
      });
    });
  }

  function deleteKeys(keys) {
    return withStore("readwrite", function (store) {
      keys.forEach(function (key) {
        store.delete(key);
      });
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // A figure as the server reads it (spaces between thousands allowed); anything else is sent as typed,
  // and the server's answer says what is wrong with it.
  function figure(text) {
    var digits = String(text).replace(/[\s\u00a0\u202f]/g, "");
    return /^[0-9]{1,9}$/.test(digits) ? Number(digits) : text;
  }

  /* Keep entries: each {district, district_name, date, online, offline, mode, reason, confirm_implausible, version}.
     A day already waiting is replaced, keeping the version the first entry was made against: that is the
     record the person saw. */
  function keep(entries) {
    return allItems().then(function (items) {
      var replaced = [];
      var fresh = entries.map(function (entry) {
        var item = {
          key: newKey(),
          user: USER,
          saved_at: new Date().toISOString(),
          state: "waiting",
          district: entry.district,
          district_name: entry.district_name,
          date: entry.date,
          online: figure(entry.online),
          offline: figure(entry.offline),
          mode: entry.mode || "daily",
          reason: entry.reason || "",
          confirm_implausible: !!entry.confirm_implausible,
          version: entry.version,
        };
        items.forEach(function (old) {
          if (old.state === "waiting" && old.district === item.district && old.date === item.date) {
            item.version = old.version;
            replaced.push(old.key);
          }
        });
        return item;
      });
      return deleteKeys(replaced).then(function () {
        return putItems(fresh);
      });
    }).then(function () {
      say(msg("kept"));
      refresh();
      schedule();
    });
  }

  function payload(item) {
    var sent = {
      key: item.key,
      district: item.district,
      date: item.date,
      online: item.online,
      offline: item.offline,
      mode: item.mode,
      reason: item.reason,
      confirm_implausible: item.confirm_implausible,
      saved_at: item.saved_at,
    };
    if (typeof item.version === "number") {
      sent.version = item.version;
    }
    return sent;
  }

  // --- Sending ---------------------------------------------------------------------------------------------

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (part) {
      return part.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
  }

  function token() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return csrfToken || cookie("csrftoken") || (field && field.value) || "";
  }

  // A page of the site read again for a fresh CSRF token (the session's may have been rotated at sign-in).
  function refreshToken() {
    return fetch(window.location.pathname, { credentials: "same-origin" }).then(function (response) {
      if (/\/login\//.test(response.url)) {
        throw new SessionEnded();
      }
      return response.text().then(function (html) {
        var found = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        csrfToken = found ? found[1] : cookie("csrftoken");
      });
    });
  }

  function SessionEnded() {}

  function post(items, retried) {
    return fetch(BATCH_URL + "?lang=" + encodeURIComponent(LANGUAGE), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token(), Accept: "application/json" },
      body: JSON.stringify({ items: items.map(payload) }),
    }).then(function (response) {
      if (response.status === 401) {
        throw new SessionEnded();
      }
      if (response.status === 403 && !retried) {
        // Most often a CSRF token gone stale (a sign-in elsewhere rotates it): read a fresh one, try once more.
        return refreshToken().then(function () {
          return post(items, true);
        });
      }
      return response.json().then(function (body) {
        if (!response.ok) {
          var error = new Error(body.detail || String(response.status));
          error.refused = response.status === 403 || response.status === 400;
          throw error;
        }
        return body.results;
      });
    });
  }

  function handle(results) {
    var done = [];
    var kept = [];
    return allItems().then(function (items) {
      var byKey = {};
      items.forEach(function (item) {
        byKey[item.key] = item;
      });
      results.forEach(function (result) {
        var item = byKey[result.key];
        if (!item) {
          return;
        }
        if (["created", "updated", "unchanged"].indexOf(result.status) >= 0) {
          done.push(item.key);
        } else if (result.code !== "write_contended") {
          item.state = result.status;
          item.result = result;
          kept.push(item);
        }
      });
      return deleteKeys(done).then(function () {
        return putItems(kept);
      });
    }).then(function () {
      if (done.length) {
        localStorage.setItem(LAST_SENT, new Date().toISOString());
      }
      return done.length;
    });
  }

  function flush() {
    if (sending) {
      return Promise.resolve();
    }
    if (!navigator.onLine) {
      // Nothing can be sent; the "online" event sends it all when the connection is back.
      return refresh();
    }
    sending = true;
    return allItems()
      .then(function (items) {
        var waiting = items.filter(function (item) {
          return item.state === "waiting";
        });
        if (!waiting.length) {
          return;
        }
        say(msg("sending"));
        var chunk = waiting.slice(0, MAX_PER_REQUEST);
        return post(chunk).then(handle).then(function () {
          say("");
          if (waiting.length > chunk.length) {
            sending = false;
            return flush();
          }
        });
      })
      .catch(function (error) {
        if (error instanceof SessionEnded) {
          say(msg("signin"), box.getAttribute("data-login-url") + "?next=" + encodeURIComponent(location.pathname + location.search));
        } else if (error && error.refused) {
          say(msg("refused", { detail: error.message }));
        } else {
          say(navigator.onLine ? msg("unreachable") : msg("offline"));
        }
      })
      .then(function () {
        sending = false;
        refresh();
        schedule();
      });
  }

  function schedule() {
    allItems().then(function (items) {
      var waiting = items.some(function (item) {
        return item.state === "waiting";
      });
      if (waiting && timer === null) {
        timer = window.setInterval(flush, RETRY_EVERY);
      } else if (!waiting && timer !== null) {
        window.clearInterval(timer);
        timer = null;
      }
    });
  }

  // --- What the page shows ---------------------------------------------------------------------------------

  function say(text, link) {
    notice.textContent = text;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link;
      anchor.textContent = msg("signin-link");
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(anchor);
    }
    notice.hidden = !text;
    if (text) {
      box.hidden = false;
    }
  }

  // A day as the reader writes it; Chromium formats "kk" like English, so Kazakh takes the Russian (Kazakhstan) form.
  function shownDate(iso) {
    return new Date(iso + "T00:00:00").toLocaleDateString(LANGUAGE === "kk" ? "ru-KZ" : LANGUAGE);
  }

  function clock(iso) {
    var when = new Date(iso);
    return ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
  }

  function describe(item) {
    var result = item.result || {};
    if (item.state === "conflict") {
      return result.message || "";
    }
    var messages = [];
    Object.keys(result.errors || {}).forEach(function (field) {
      messages = messages.concat(result.errors[field]);
    });
    return messages.join(" ");
  }

  function refresh() {
    return allItems().then(function (items) {
      var waiting = items.filter(function (item) {
        return item.state === "waiting";
      });
      var stuck = items.filter(function (item) {
        return item.state !== "waiting";
      });
      var lastSent = localStorage.getItem(LAST_SENT);
      var text = msg("waiting", { count: waiting.length });
      if (lastSent) {
        text += " " + msg("last-sent", { time: clock(lastSent) });
      }
      status.textContent = text;
      box.setAttribute("data-waiting", String(waiting.length));
      sendButton.hidden = !waiting.length;
      attention.textContent = "";
      stuck.forEach(function (item) {
        var entry = document.createElement("li");
        entry.textContent = item.district_name + ", " + shownDate(item.date) + ": " + describe(item) + " ";
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "secondary";
        discard.textContent = msg(item.state === "conflict" ? "keep-server" : "discard");
        discard.addEventListener("click", function () {
          deleteKeys([item.key]).then(refresh);
        });
        entry.appendChild(discard);
        if (item.state === "conflict") {
          entry.appendChild(correctionForm(item));
        }
        attention.appendChild(entry);
      });
      attention.hidden = !stuck.length;
      box.hidden = !waiting.length && !stuck.length && notice.hidden;
      markWaiting(waiting);
      return waiting.length;
    });
  }

  /* A conflict resolved the other way: the figures as entered, sent again over the record as it now stands,
     with a reason (audited like any correction). A new key: it is a new entry, not a replay of the old one. */
  function correctionForm(item) {
    var form = document.createElement("form");
    form.className = "outbox-correction";
    var id = "outbox-reason-" + item.key;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = msg("reason");
    var reason = document.createElement("input");
    reason.type = "text";
    reason.id = id;
    reason.required = true;
    reason.maxLength = 1000;
    var send = document.createElement("button");
    send.type = "submit";
    send.textContent = msg("send-mine");
    form.appendChild(label);
    form.appendChild(reason);
    form.appendChild(send);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!reason.value.trim()) {
        reason.setCustomValidity(msg("reason-needed"));
        reason.reportValidity();
        return;
      }
      var current = (item.result && item.result.record) || null;
      var fresh = Object.assign({}, item, {
        key: newKey(),
        state: "waiting",
        result: null,
        reason: reason.value.trim(),
        version: current ? current.version : 0,
      });
      deleteKeys([item.key])
        .then(function () {
          return putItems([fresh]);
        })
        .then(flush);
    });
    reason.addEventListener("input", function () {
      reason.setCustomValidity("");
    });
    return form;
  }

  // Cells (or a form) whose entry is waiting carry data-outbox-key="<district> <date>"; mark those that wait.
  function markWaiting(waiting) {
    var waitingKeys = {};
    waiting.forEach(function (item) {
      waitingKeys[item.district + " " + item.date] = true;
    });
    document.querySelectorAll("[data-outbox-cell]").forEach(function (cell) {
      var date = cell.closest("form").querySelector("input[name=date]").value;
      cell.classList.toggle("is-waiting", !!waitingKeys[cell.getAttribute("data-outbox-cell") + " " + date]);
      cell.title = waitingKeys[cell.getAttribute("data-outbox-cell") + " " + date] ? msg("cell-waiting") : "";
    });
  }

  // --- The district day form -------------------------------------------------------------------------------

  var dayForm = document.querySelector("form[data-outbox-day]");

  function field(form, name) {
    var input = form.querySelector("[name=" + name + "]");
    return input ? input.value : "";
  }

  function dayEntry(form) {
    var confirm = form.querySelector("[name=confirm_implausible]");
    return {
      district: form.getAttribute("data-district"),
      district_name: form.getAttribute("data-district-name"),
      date: field(form, "date"),
      mode: field(form, "mode"),
      online: field(form, "online"),
      offline: field(form, "offline"),
      reason: field(form, "reason"),
      confirm_implausible: !!(confirm && confirm.checked),
      version: Number(field(form, "version") || 0),
    };
  }

  // The server's page after a save, shown in place of this one (with its messages), as a normal save would.
  function adopt(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = document.querySelector("main");
    var fresh = page.querySelector("main");
    if (!fresh) {
      window.location.assign(url);
      return;
    }
    document.querySelectorAll("body > ul.messages").forEach(function (old) {
      old.remove();
    });
    var messages = page.querySelector("body > ul.messages");
    if (messages) {
      main.parentNode.insertBefore(document.adoptNode(messages), main);
    }
    main.replaceWith(document.adoptNode(fresh));
    document.title = page.title;
    window.history.replaceState(null, "", url);
    bindDayForm();
    refresh();
    // Scripts of the page (the grid's totals) set themselves up again on the new content.
    document.dispatchEvent(new CustomEvent("census:page"));
    var focus = document.querySelector("main [autofocus]");
    if (focus) {
      focus.focus();
    }
  }

  /* A save goes to the server as the form would post it. When it cannot get there (no connection, or no
     answer in time) its entries are kept in the outbox. When the server answers with the form again (an
     error, a conflict) the form is posted once more the ordinary way, so that the page shows it as without
     this script: nothing was saved by the first post. */
  function submitThrough(form, entries) {
    if (!entries.length) {
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    if (!navigator.onLine) {
      keep(entries);
      return;
    }
    var controller = new AbortController();
    var timeout = window.setTimeout(function () {
      controller.abort();
    }, SAVE_TIMEOUT);
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      signal: controller.signal,
    }).then(
      function (response) {
        window.clearTimeout(timeout);
        if (/\/login\//.test(response.url)) {
          // Signed out meanwhile: the entries wait here until the person signs in again.
          keep(entries).then(function () {
            say(msg("signin"), response.url);
          });
        } else if (response.redirected) {
          response.text().then(function (html) {
            adopt(html, response.url);
          });
        } else {
          HTMLFormElement.prototype.submit.call(form);
        }
      },
      function () {
        window.clearTimeout(timeout);
        keep(entries);
      }
    );
  }

  function submitDay(event) {
    event.preventDefault();
    submitThrough(event.target, [dayEntry(event.target)]);
  }

  // --- The region grid: one entry per district row changed (or newly filled) -----------------------------

  function gridEntries(form) {
    var entries = [];
    form.querySelectorAll("tr[data-grid-row]").forEach(function (row) {
      var online = row.querySelector("input[data-channel=online]");
      if (!online) {
        return;
      }
      var kato = online.getAttribute("data-outbox-cell");
      var value = function (suffix) {
        var input = form.querySelector("[name='" + kato + "-" + suffix + "']");
        return input ? input.value.trim() : "";
      };
      var version = Number(value("version") || 0);
      var untouched = value("online") === value("online-was") && value("offline") === value("offline-was");
      if (untouched || (!value("online") && !value("offline") && version === 0)) {
        return;
      }
      var confirm = form.querySelector("[name='" + kato + "-confirm']");
      entries.push({
        district: kato,
        district_name: row.querySelector("th bdi").textContent,
        date: field(form, "date"),
        mode: field(form, "mode"),
        online: value("online"),
        offline: value("offline"),
        reason: field(form, "reason"),
        confirm_implausible: !!(confirm && confirm.checked),
        version: version,
      });
    });
    return entries;
  }

  function submitGrid(event) {
    event.preventDefault();
    submitThrough(event.target, gridEntries(event.target));
  }

  // Offline, another day cannot be loaded: the form switches to it in place (its version as the page knew it).
  function switchDay(date, mode) {
    var form = document.querySelector("form[data-outbox-day]");
    var versions = JSON.parse(form.getAttribute("data-versions") || "{}");
    form.querySelector("[name=date]").value = date;
    if (mode) {
      form.querySelector("[name=mode]").value = mode;
    }
    form.querySelector("[name=version]").value = String(versions[date] || 0);
    ["online", "offline", "reason"].forEach(function (name) {
      form.querySelector("[name=" + name + "]").value = "";
    });
    form.querySelectorAll("[data-day-only]").forEach(function (element) {
      element.hidden = true;
    });
    var shown = shownDate(date);
    document.querySelectorAll("[data-day-shown]").forEach(function (element) {
      element.textContent = msg("day-offline", { day: shown });
    });
    document.querySelectorAll("[data-day-heading]").forEach(function (element) {
      element.textContent = "· " + shown;
    });
    var picker = document.querySelector("form.day-picker [name=date]");
    if (picker) {
      picker.value = date;
    }
    form.querySelector("[name=online]").focus();
  }

  function shiftDate(date, days) {
    var when = new Date(date + "T00:00:00Z");
    when.setUTCDate(when.getUTCDate() + days);
    return when.toISOString().slice(0, 10);
  }

  function bindDayForm() {
    var grid = document.querySelector("form[data-grid]");
    if (grid) {
      grid.addEventListener("submit", submitGrid);
    }
    dayForm = document.querySelector("form[data-outbox-day]");
    if (!dayForm) {
      return;
    }
    dayForm.addEventListener("submit", submitDay);
    // With no connection the service worker answers another day's address with the copy of this page it kept
    // (templates/census/shell/sw.js): the form must then be for the day asked, not for the day the copy was made for.
    var asked = new URLSearchParams(window.location.search);
    var askedDate = asked.get("date") || "";
    if (!navigator.onLine && /^\d{4}-\d{2}-\d{2}$/.test(askedDate) && askedDate !== field(dayForm, "date")) {
      // The mode as the server reads it: daily unless the address asks for totals.
      switchDay(askedDate, asked.get("mode") === "cumulative" ? "cumulative" : "daily");
    }
    var picker = document.querySelector("form.day-picker");
    if (picker) {
      picker.addEventListener("submit", function (event) {
        if (!navigator.onLine) {
          event.preventDefault();
          switchDay(field(picker, "date"), field(picker, "mode"));
        }
      });
      [["prev", -1], ["next", 1]].forEach(function (pair) {
        var link = picker.querySelector("a[rel=" + pair[0] + "]");
        if (link) {
          link.addEventListener("click", function (event) {
            if (!navigator.onLine) {
              event.preventDefault();
              switchDay(shiftDate(field(dayForm, "date"), pair[1]));
            }
          });
        }
      });
    }
  }

  // --- Signing out -----------------------------------------------------------------------------------------

  document.querySelectorAll("form[action$='/logout/']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var waiting = Number(box.getAttribute("data-waiting") || 0);
      if (waiting && !window.confirm(msg("signout", { count: waiting }))) {
        event.preventDefault();
        return;
      }
      // The entry pages kept for offline use are this person's: the next one to sign in here must not get them.
      forgetKeptPages();
    });
  });

  function forgetKeptPages() {
    if (window.caches) {
      caches.keys().then(function (names) {
        names.filter(function (name) {
          return name.indexOf("census-pages-") === 0;
        }).forEach(function (name) {
          caches.delete(name);
        });
      });
    }
  }

  // A session that ended without signing out (timed out, ended by an administrator) left its pages kept here:
  // the first entry page of the next person to sign in on this device drops them.
  try {
    if (window.localStorage.getItem(PAGES_KEPT_FOR) !== USER) {
      forgetKeptPages();
      window.localStorage.setItem(PAGES_KEPT_FOR, USER);
    }
  } catch (error) {
    // No local storage (a private window that refuses it): the sign-out still drops the pages.
  }

  // --- When to send ----------------------------------------------------------------------------------------

  sendButton.addEventListener("click", flush);
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () {
    say(msg("offline"));
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      flush();
    }
  });
  if (navigator.serviceWorker && box.getAttribute("data-sw-url")) {
    // The entry pages, their script and styles kept on the device, so that they open with no connection.
    navigator.serviceWorker.register(box.getAttribute("data-sw-url")).catch(function () {});
  }
  if (navigator.storage && navigator.storage.persist) {
    // Kept through storage pressure: what waits here exists nowhere else yet.
    navigator.storage.persist();
  }
  bindDayForm();
  refresh().then(flush);

  // For the region grid (static/js/entry-grid.js) and tests.
  window.censusOutbox = { keep: keep, flush: flush, refresh: refresh, items: allItems };
})();
