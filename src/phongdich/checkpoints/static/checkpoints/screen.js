/* The checkpoint screen: scan or type → status → outcome. Plain JS, no build step, no CDN.
 *
 * IndexedDB "pd-checkpoint": store "snapshot" (key id_number: [id, level, flags, name]),
 * "meta" (key "snapshot:<checkpoint>": generated_at, count), "queue" (key client_uuid: a passage
 * waiting to be sent). Every passage goes through the queue, online or not, and is sent with
 * POST /passages/sync: a resent client UUID is reported "known", never recorded twice.
 */
(function () {
  "use strict";
  const root = document.getElementById("cp-screen");
  if (!root) return;
  const cfg = JSON.parse(root.dataset.config);
  const T = cfg.text;
  const $ = (id) => document.getElementById(id);
  const ABSENT = 1, QUARANTINE = 2, REQUESTED = 4;
  let current = null; // {id_number, person_id, declaration_id, known}
  let syncing = false;
  let again = false; // a send asked for while one is running: run once more after it

  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // IndexedDB ---------------------------------------------------------------------------
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open("pd-checkpoint", 1);
        req.onupgradeneeded = () => {
          const d = req.result;
          d.createObjectStore("snapshot");
          d.createObjectStore("meta");
          d.createObjectStore("queue", { keyPath: "client_uuid" });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }
  function tx(store, mode, fn) {
    return db().then((d) => new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      const s = t.objectStore(store);
      const out = fn(s);
      t.oncomplete = () => resolve(out && "result" in out ? out.result : out);
      t.onerror = () => reject(t.error);
    }));
  }
  const get = (store, key) => tx(store, "readonly", (s) => s.get(key));
  const all = (store) => tx(store, "readonly", (s) => s.getAll());
  const put = (store, value, key) => tx(store, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
  const del = (store, key) => tx(store, "readwrite", (s) => s.delete(key));
  const metaKey = "snapshot:" + cfg.checkpoint;

  // UI helpers --------------------------------------------------------------------------
  function say(text, kind) {
    const m = $("message");
    m.textContent = text;
    m.className = "msg msg-" + (kind || "info");
    m.hidden = !text;
  }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function digits(s) { return String(s || "").replace(/\D/g, ""); }
  function netState() {
    const n = $("net-state");
    n.textContent = navigator.onLine ? T.online : T.offline;
    n.classList.toggle("offline", !navigator.onLine);
  }
  async function showQueue() {
    const q = await all("queue");
    $("queue-count").textContent = String(q.length);
  }
  async function showCacheInfo() {
    const meta = await get("meta", metaKey);
    if (meta) $("cache-info").textContent = T.loaded + ": " + meta.count + " · " + new Date(meta.generated_at).toLocaleString("vi-VN");
  }

  function renderStatus(s, offline) {
    const box = $("status");
    const items = [];
    if (s.level !== null && s.level !== undefined && s.level >= 0) items.push("<li><b class='flevel f" + s.level + "'>F" + s.level + "</b>" + (s.case_code ? " · " + esc(s.case_code) : "") + (s.handling_until ? " · " + esc(s.handling_until) : "") + "</li>");
    if (s.absent) items.push("<li>" + esc(T.absent) + "</li>");
    if (s.in_quarantine) items.push("<li>" + esc(T.quarantine) + (s.quarantine_until ? " · " + esc(s.quarantine_until) : "") + "</li>");
    if (s.quarantine_requested) items.push("<li>" + esc(T.requested) + "</li>");
    if (!offline) {
      items.push(s.declared_at ? "<li class='ok'>" + esc(T.declared) + " · " + esc(new Date(s.declared_at).toLocaleString("vi-VN")) + "</li>" : "<li class='warn'>" + esc(T.not_declared) + "</li>");
      if (s.meets_requirement === true) items.push("<li class='ok'>" + esc(T.meets) + "</li>");
      else if (s.meets_requirement === false) items.push("<li class='warn'>" + esc(T.fails) + " (RT-PCR " + s.required_pcr_hours + "h" + (s.required_antigen_hours ? ", antigen " + s.required_antigen_hours + "h" : "") + ")</li>");
      else items.push("<li class='muted'>" + esc(T.no_rule) + "</li>");
      (s.results || []).forEach((r) => items.push("<li class='small'>" + esc(r.kind) + ": " + esc(r.outcome) + " · " + r.hours + "h</li>"));
    }
    if (!items.length) items.push("<li>" + esc(T.nothing) + "</li>");
    const alert = s.alert || (s.level === 0 || s.level === 1) || s.in_quarantine;
    box.className = "card cp-status " + (alert ? "alert" : "clear");
    box.innerHTML = (offline ? "<p class='muted small'>" + esc(T.offline_status) + "</p>" : "") +
      "<h2>" + esc(s.full_name || s.name || "") + "</h2>" +
      (s.home ? "<p class='muted small'>" + esc(s.home) + (s.birth_year ? " · " + s.birth_year : "") + "</p>" : "") +
      "<ul>" + items.join("") + "</ul>";
    box.hidden = false;
  }

  function fromSnapshot(row) {
    return {
      name: row[3], level: row[1] >= 0 ? row[1] : null, absent: !!(row[2] & ABSENT),
      in_quarantine: !!(row[2] & QUARANTINE), quarantine_requested: !!(row[2] & REQUESTED),
    };
  }

  function ready(known, idNumber, extra) {
    current = Object.assign({ id_number: idNumber, known: known }, extra || {});
    $("name-row").hidden = known;
    $("passage-form").hidden = false;
    if (extra && extra.origin_code) $("origin").value = extra.origin_code;
    if (extra && extra.destination_commune_code) $("destination").value = extra.destination_commune_code;
  }

  async function lookupOffline(idNumber) {
    const row = await get("snapshot", idNumber);
    if (row) {
      renderStatus(fromSnapshot(row), true);
      ready(true, idNumber);
    } else {
      renderStatus({ name: idNumber }, true);
      ready(false, idNumber);
      say(T.unknown, "warning");
    }
  }

  async function lookup(params) {
    say("");
    const idNumber = params.id_number ? digits(params.id_number) : "";
    if (!params.token && idNumber.length !== 9 && idNumber.length !== 12) { say(T.enter_id, "error"); return; }
    if (!navigator.onLine) {
      if (params.token) { say(T.token_offline, "warning"); return; }
      return lookupOffline(idNumber);
    }
    const q = new URLSearchParams({ checkpoint_id: cfg.checkpoint });
    if (params.token) q.set("token", params.token); else q.set("id_number", idNumber);
    let resp;
    try {
      resp = await fetch(cfg.api + "/status?" + q.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (e) {
      if (params.token) { say(T.token_offline, "warning"); return; }
      return lookupOffline(idNumber);
    }
    if (resp.status === 404) {
      if (params.token) { say(T.unknown, "warning"); return; }
      renderStatus({ name: idNumber }, false);
      ready(false, idNumber);
      say(T.unknown, "warning");
      return;
    }
    if (!resp.ok) { const body = await resp.json().catch(() => ({})); say(body.detail || String(resp.status), "error"); return; }
    const s = await resp.json();
    renderStatus(s, false);
    ready(true, idNumber, { person_id: s.person_id, origin_code: s.origin_code, destination_commune_code: s.destination_commune_code });
  }

  // Recording and syncing ---------------------------------------------------------------
  async function record(outcome) {
    if (!current) return;
    const name = $("name-input").value.trim();
    if (!current.known && !name) { say(T.unknown, "error"); $("name-input").focus(); return; }
    const item = {
      client_uuid: crypto.randomUUID(),
      id_number: current.id_number || "",
      person_id: current.person_id || null,
      full_name: current.known ? "" : name,
      outcome: outcome,
      direction: $("direction").value,
      origin_code: $("origin").value,
      destination_commune_code: $("destination").value,
      passed_at: new Date().toISOString(),
    };
    await put("queue", item);
    await showQueue();
    current = null;
    $("passage-form").hidden = true;
    $("status").hidden = true;
    $("id-input").value = "";
    $("name-input").value = "";
    say(T.queued, "info");
    if (navigator.onLine) sync();
    $("id-input").focus();
  }

  async function sync() {
    if (syncing) { again = true; return; }
    const queue = await all("queue");
    if (!queue.length) { await showQueue(); return; }
    syncing = true;
    root.dataset.syncing = "1";
    try {
      const resp = await fetch(cfg.api + "/passages/sync", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ checkpoint_id: cfg.checkpoint, passages: queue.slice(0, 500) }),
      });
      if (!resp.ok) { const body = await resp.json().catch(() => ({})); say(body.detail || String(resp.status), "error"); return; }
      const out = await resp.json();
      for (const r of out.results) {
        await del("queue", r.client_uuid);
        if (r.status === "error") {
          const li = document.createElement("li");
          li.textContent = T.rejected + ": " + r.detail;
          $("rejected").appendChild(li);
        }
      }
      $("sync-info").textContent = "new " + out.new + " · known " + out.known + " · errors " + out.errors;
      say(out.errors ? T.rejected : T.sent, out.errors ? "warning" : "success");
      await showQueue();
      await changes();
    } catch (e) {
      /* still offline: the queue stays */
    } finally {
      syncing = false;
      root.dataset.syncing = "0";
      if (again) { again = false; sync(); }
    }
  }

  async function loadSnapshot() {
    const resp = await fetch(cfg.api + "/snapshot?checkpoint_id=" + encodeURIComponent(cfg.checkpoint), { credentials: "same-origin" });
    if (!resp.ok) { say(String(resp.status), "error"); return; }
    const data = await resp.json();
    await tx("snapshot", "readwrite", (s) => { s.clear(); data.rows.forEach((row) => s.put(row, row[0])); });
    await put("meta", { generated_at: data.generated_at, count: data.count }, metaKey);
    await showCacheInfo();
    say(T.loaded + ": " + data.count, "success");
  }

  async function changes() {
    const meta = await get("meta", metaKey);
    if (!meta) return;
    const q = new URLSearchParams({ checkpoint_id: cfg.checkpoint, since: meta.generated_at });
    const resp = await fetch(cfg.api + "/changes?" + q.toString(), { credentials: "same-origin" });
    if (!resp.ok) return;
    const data = await resp.json();
    const list = $("changes-list");
    list.innerHTML = "";
    for (const row of data.rows) {
      const before = await get("snapshot", row[0]);
      if (before && before[1] === row[1] && before[2] === row[2]) continue;
      const s = fromSnapshot(row);
      const li = document.createElement("li");
      li.textContent = row[0].slice(0, 3) + "…" + row[0].slice(-3) + " · " + row[3] + ": " +
        [s.level !== null ? "F" + s.level : "", s.absent ? T.absent : "", s.in_quarantine ? T.quarantine : "", s.quarantine_requested ? T.requested : ""].filter(Boolean).join(", ");
      list.appendChild(li);
      if (row[1] < 0 && !row[2]) await del("snapshot", row[0]); else await put("snapshot", row, row[0]);
    }
    $("changes").hidden = !list.children.length;
  }

  // QR scanning -------------------------------------------------------------------------
  let stream = null;
  async function scan() {
    const video = $("scan-video");
    if (stream) { stopScan(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say(T.no_camera, "warning"); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (e) { say(T.no_camera, "warning"); return; }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detector = "BarcodeDetector" in window ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    if (!detector && !window.jsQR) await loadScript(cfg.jsqr);
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const tick = async () => {
      if (!stream) return;
      let text = null;
      try {
        if (detector) {
          const codes = await detector.detect(video);
          if (codes.length) text = codes[0].rawValue;
        } else if (window.jsQR && video.videoWidth) {
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0);
          const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
          const code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
          if (code) text = code.data;
        }
      } catch (e) { /* keep trying */ }
      if (text) { stopScan(); handleScanned(text); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
  function stopScan() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    $("scan-video").hidden = true;
  }
  function loadScript(src) {
    return new Promise((resolve) => { const s = document.createElement("script"); s.src = src; s.onload = resolve; s.onerror = resolve; document.head.appendChild(s); });
  }
  function handleScanned(text) {
    // A declaration QR carries a signed token (possibly inside a URL ?t=…); a bare number is an ID number.
    let token = text.trim();
    try { const u = new URL(token); token = u.searchParams.get("t") || u.searchParams.get("token") || u.pathname.split("/").filter(Boolean).pop() || token; } catch (e) { /* not a URL */ }
    if (/^\d{9}(\d{3})?$/.test(token)) { $("id-input").value = token; lookup({ id_number: token }); }
    else lookup({ token: token });
  }

  // Wiring ------------------------------------------------------------------------------
  $("lookup-form").addEventListener("submit", (e) => { e.preventDefault(); lookup({ id_number: $("id-input").value }); });
  $("scan-btn").addEventListener("click", scan);
  document.querySelectorAll("button.outcome").forEach((b) => b.addEventListener("click", () => record(b.dataset.outcome)));
  $("load-cache").addEventListener("click", loadSnapshot);
  $("sync-btn").addEventListener("click", sync);
  window.addEventListener("online", () => { netState(); sync(); });
  window.addEventListener("offline", netState);
  netState();
  showQueue();
  showCacheInfo();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(cfg.sw, { scope: "/checkpoints/" }).catch(() => {});
  if (navigator.onLine) sync();
})();
