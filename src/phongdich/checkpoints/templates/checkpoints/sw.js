/* Service worker of the checkpoint screen (scope /checkpoints/). The screen's page: network first, cached copy
   offline. Static assets of the screen: cache first. No other page is cached (lists of vehicles, violations and
   arrivals name people: they are not kept on the phone), and the API never is (the screen keeps its data in
   IndexedDB). A new cache name drops what an earlier version cached. */
const CACHE = "pd-checkpoint-v2";
const SCREEN = /^\/checkpoints\/[0-9a-f-]{36}\/screen\/$/;
const ASSETS = {{ assets_json|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === "navigate" && SCREEN.test(url.pathname)) {
    event.respondWith(
      fetch(req).then((resp) => {
        if (resp.ok && !resp.redirected) {
          const copy = resp.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return resp;
      }).catch(() => caches.match(req))
    );
  }
});
