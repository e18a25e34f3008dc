// The dashboard page: it renders what the server sends over server-sent
// events and posts actions. No polling: EventSource reconnects by itself.
"use strict";
(function () {
  const token = document.querySelector('meta[name="stack-token"]').content;
  const fixed = document.querySelector('meta[name="stack-project"]').content;
  const $ = (id) => document.getElementById(id);
  let project = fixed;
  let events = null, logs = null;
  const palette = ["#6cb6ff", "#ffd866", "#a9dc76", "#ff6188", "#ab9df2", "#78dce8", "#fc9867", "#e6e6e6"];
  const colorOf = (name) => { let h = 0; for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0; return palette[h % palette.length]; };
  const el = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
    }
    for (const k of kids) e.append(k);
    return e;
  };

  // The action shown in the actions panel: its head line and the progress
  // lines the CLI would print, streamed over the events stream as they come.
  let cur = { id: null, label: "", head: "", lines: [] };
  let streamed = 0;
  function showProgress() {
    const p = $("progress");
    p.textContent = cur.head + (cur.lines.length ? "\n" + cur.lines.join("\n") : "");
    p.dataset.streamedLines = String(streamed);
    p.dataset.state = cur.state || "";
  }

  async function act(verb, service) {
    const label = verb + (service ? " " + service : "");
    cur = { id: null, label, head: label + " ...", lines: [], state: "running" };
    showProgress();
    try {
      const resp = await fetch("/api/action", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Stack-Token": token },
        body: JSON.stringify({ project, verb, service }),
      });
      const res = await resp.json().catch(() => ({ error: resp.statusText, progress: [] }));
      // The stream may be down: the answer carries the whole story too.
      if (cur.label === label && cur.state === "running") {
        cur.state = res.ok ? "done" : "failed";
        cur.head = label + ": " + (res.ok ? "done" : "failed: " + res.error);
        if (!cur.lines.length) cur.lines = res.progress || [];
        showProgress();
      }
    } catch (e) {
      cur.state = "failed";
      cur.head = label + ": failed: " + e;
      showProgress();
    }
  }

  function onAction(a) {
    const label = a.verb + (a.service ? " " + a.service : "");
    if (a.state === "running") {
      cur = { id: a.id, label, head: label + ": running", lines: [], state: "running" };
    } else if (cur.id === a.id || (cur.id === null && cur.label === label)) {
      cur.id = a.id;
      cur.state = a.state;
      cur.head = label + ": " + (a.state === "done" ? "done" : "failed: " + a.error);
    } else {
      return;
    }
    showProgress();
  }

  function onProgress(p) {
    if (cur.id !== p.id) return;
    streamed++;
    cur.lines.push(p.line);
    showProgress();
  }

  // A container that failed (exited non-zero, or unhealthy) gets a panel
  // with its last log lines, opened by itself once per failure.
  const failed = new Map(); // container -> the failure shown
  function failureOf(r) {
    if (r.state === "exited" && r.exit_code !== 0) return "exited with code " + r.exit_code;
    if (r.state === "dead") return "is dead";
    if (r.state === "running" && r.health === "unhealthy") return "is unhealthy";
    return "";
  }
  async function openFailure(r, why) {
    const box = el("details", { open: true, className: "failure", "data-container": r.name },
      el("summary", { textContent: r.name + " " + why + ": its last lines" }),
      el("pre", { className: "tail", textContent: "loading ..." }));
    const close = el("button", { textContent: "close", className: "close", onclick: () => box.remove() });
    box.firstElementChild.append(" ", close);
    const old = document.querySelector('#failures details[data-container="' + CSS.escape(r.name) + '"]');
    if (old) old.replaceWith(box); else $("failures").append(box);
    $("failures-section").hidden = false;
    const q = "project=" + encodeURIComponent(project) + "&service=" + encodeURIComponent(r.service) + "&container=" + encodeURIComponent(r.name);
    try {
      const resp = await fetch("/api/tail?" + q, { credentials: "same-origin" });
      if (!resp.ok) throw new Error(await resp.text());
      const lines = await resp.json();
      box.querySelector(".tail").replaceChildren(...lines.map((l) =>
        el("div", { className: "logline" + (l.stderr ? " stderr" : "") }, l.text)));
      if (!lines.length) box.querySelector(".tail").textContent = "(no output)";
    } catch (e) {
      box.querySelector(".tail").textContent = "logs: " + e.message;
    }
  }
  function checkFailures(rows) {
    for (const r of rows) {
      const why = failureOf(r);
      if (!why) { failed.delete(r.name); continue; }
      if (failed.get(r.name) === why) continue;
      failed.set(r.name, why);
      openFailure(r, why);
    }
  }

  const badge = (cls, text, title) => el("span", { className: "state " + cls, textContent: text, title: title || "" });
  // The image's last path element (the whole name is its cell's title).
  const shortImage = (img) => img.startsWith("sha256:") ? img.slice(0, 19) : img.slice(img.lastIndexOf("/") + 1);

  // Rows are kept per container and updated in place, the action buttons
  // never replaced: a state push (every health check is an event) must not
  // swallow a click that is half done.
  const rowsByName = new Map();
  function actionCell(service) {
    const actions = el("td", { className: "actions" });
    for (const [verb, label] of [["restart", "restart"], ["stop", "stop"], ["start", "start"], ["scale-up", "+1"], ["scale-down", "-1"]]) {
      actions.append(el("button", { textContent: label, className: "act-" + verb, onclick: () => act(verb, service) }));
    }
    return actions;
  }

  function render(st) {
    const body = $("services").tBodies[0];
    const seen = new Set();
    let prev = null;
    for (const r of st.rows) {
      seen.add(r.name);
      let tr = rowsByName.get(r.name);
      if (!tr || tr.dataset.service !== r.service) {
        if (tr) tr.remove();
        tr = el("tr", { "data-service": r.service, "data-container": r.name }, actionCell(r.service));
        rowsByName.set(r.name, tr);
      }
      const ports = el("td");
      for (const p of r.ports) {
        ports.append(p.url ? el("a", { href: p.url, target: "_blank", rel: "noopener", textContent: p.text }) : p.text, " ");
      }
      const started = r.started_at && !r.started_at.startsWith("0001") ? r.started_at : "";
      const probe = r.probe === "ready" ? badge("state-ready", "ready", "stack's readiness probe passed")
        : r.probe ? badge("state-notready", "not ready", r.probe_error) : "";
      const imageState = r.image_state ? badge("img-" + r.image_state.split(":")[0].replace(/ /g, "-"), r.image_state.split(":")[0], r.image_state) : "";
      for (const [k, v] of Object.entries({
        "data-state": r.state, "data-health": r.health || "", "data-probe": r.probe || "",
        "data-restarts": String(r.restart_count), "data-image-state": r.image_state || "",
      })) tr.setAttribute(k, v);
      const actions = tr.lastElementChild;
      while (tr.firstElementChild !== actions) tr.firstElementChild.remove();
      actions.before(
        el("td", { textContent: r.name }),
        el("td", {}, el("span", { className: "state state-" + r.state, textContent: r.state })),
        el("td", {}, r.health ? el("span", { className: "state state-" + r.health, textContent: r.health }) : ""),
        el("td", { className: "probe" }, probe),
        el("td", { className: "restarts", textContent: String(r.restart_count) }),
        el("td", { textContent: r.uptime || "" }),
        el("td", { className: "started", "data-started": started, textContent: started ? new Date(started).toLocaleTimeString() : "" }),
        el("td", { textContent: r.state === "running" ? "" : String(r.exit_code) }),
        ports,
        el("td", { className: "image", title: r.image }, imageState, " ", shortImage(r.image)));
      const at = prev ? prev.nextElementSibling : body.firstElementChild;
      if (at !== tr) body.insertBefore(tr, at);
      prev = tr;
    }
    for (const [name, tr] of rowsByName) {
      if (!seen.has(name)) {
        tr.remove();
        rowsByName.delete(name);
      }
    }
    checkFailures(st.rows);
    const absent = st.services.filter((s) => s.replicas === 0).map((s) => s.name);
    $("absent").textContent = absent.length ? "no containers: " + absent.join(", ") : "";
    if (st.error) $("absent").textContent += " error: " + st.error;
    $("graph").innerHTML = st.graph; // built by the server, names escaped
    const sel = $("log-service");
    const have = new Set([...sel.options].map((o) => o.value));
    for (const s of st.services) if (!have.has(s.name)) sel.append(el("option", { value: s.name, textContent: s.name }));
  }

  function connect() {
    if (events) events.close();
    if (!project) return;
    events = new EventSource("/api/events?project=" + encodeURIComponent(project));
    events.addEventListener("open", () => { $("conn").textContent = "live"; $("conn").className = "conn live"; });
    events.addEventListener("error", () => { $("conn").textContent = "reconnecting"; $("conn").className = "conn"; });
    events.addEventListener("state", (m) => render(JSON.parse(m.data)));
    events.addEventListener("action", (m) => onAction(JSON.parse(m.data)));
    events.addEventListener("progress", (m) => onProgress(JSON.parse(m.data)));
    connectLogs();
  }

  function filterLine(div) {
    const f = $("log-filter").value.toLowerCase();
    div.hidden = f !== "" && !div.textContent.toLowerCase().includes(f);
  }

  function connectLogs() {
    if (logs) logs.close();
    $("logs").replaceChildren();
    const svc = $("log-service").value;
    logs = new EventSource("/api/logs?project=" + encodeURIComponent(project) + (svc ? "&service=" + encodeURIComponent(svc) : ""));
    logs.addEventListener("open", () => $("logs").replaceChildren());
    logs.addEventListener("line", (m) => {
      const l = JSON.parse(m.data);
      const box = $("logs");
      const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
      const prefix = el("span", { textContent: l.container + " | " });
      prefix.style.color = colorOf(l.service);
      const div = el("div", { className: "logline" + (l.stderr ? " stderr" : ""), "data-service": l.service }, prefix, l.text);
      filterLine(div);
      box.append(div);
      while (box.childElementCount > 2000) box.firstElementChild.remove();
      if (atEnd) box.scrollTop = box.scrollHeight;
    });
  }

  async function showPlan() {
    $("plan").textContent = "planning ...";
    const resp = await fetch("/api/plan?project=" + encodeURIComponent(project), { credentials: "same-origin" });
    $("plan").textContent = await resp.text();
  }

  async function loadStacks() {
    const sel = $("stacks");
    const resp = await fetch("/api/stacks", { credentials: "same-origin" });
    const stacks = await resp.json();
    sel.replaceChildren(...stacks.map((s) => el("option", { value: s.Name, textContent: s.Name + (s.Status ? " (" + s.Status + ")" : "") })));
    if (!project && stacks.length) project = stacks[0].Name;
    sel.value = project;
    sel.disabled = !!fixed;
    sel.onchange = () => { project = sel.value; connect(); };
    connect();
  }

  $("up").onclick = () => act("up");
  $("down").onclick = () => act("down");
  $("plan-refresh").onclick = showPlan;
  $("log-service").onchange = connectLogs;
  $("log-filter").oninput = () => { for (const d of $("logs").children) filterLine(d); };
  loadStacks();
})();
