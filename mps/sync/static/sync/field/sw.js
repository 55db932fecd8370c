/*
 * The field app's service worker: keeps the app itself (page, scripts, styles, translations) so that it opens
 * with no network. SHELL_VERSION, SHELL_URLS and APP_URL are written above this text by the view that serves it.
 *
 * It never keeps data: API answers go straight to the network, and the households live only in the app's
 * encrypted IndexedDB store. The page is fetched from the network first while online (so a signed-out user
 * meets the login page, and a new release arrives), and from the cache when the network fails.
 */
/* global SHELL_VERSION, SHELL_URLS, APP_URL */
"use strict";

const CACHE = "mps-field-" + SHELL_VERSION;

// One file at a time, each tried a few times: a tablet on a weak signal, or a busy server, must not leave the
// app without its offline copy because one request of many failed.
async function precache() {
  const cache = await caches.open(CACHE);
  for (const url of SHELL_URLS) {
    let failure = null;
    for (let attempt = 1; attempt <= 4; attempt++) {
      try {
        const response = await fetch(new Request(url, { credentials: "same-origin", cache: "reload" }));
        if (!response.ok || response.redirected) throw new Error(url + " answered " + response.status);
        await cache.put(url, response);
        failure = null;
        break;
      } catch (error) {
        failure = error;
        await new Promise((resolve) => setTimeout(resolve, 400 * attempt));
      }
    }
    if (failure) throw failure;
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("mps-field-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function isAppPage(url) {
  return url.origin === self.location.origin && url.pathname === APP_URL;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate" && isAppPage(url)) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(APP_URL, copy));
          }
          return response;
        })
        .catch(() => caches.match(APP_URL).then((cached) => cached || Response.error()))
    );
    return;
  }
  if (SHELL_URLS.includes(url.pathname)) {
    event.respondWith(
      caches.match(url.pathname).then(
        (cached) =>
          cached ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
            }
            return response;
          })
      )
    );
  }
});
