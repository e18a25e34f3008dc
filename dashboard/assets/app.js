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

  async function act(verb, service) {
    const line = verb + (service ? " " + service : "");
    $("progress").textContent = line + " ...";
    try {
      const resp = await fetch("/api/action", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Stack-Token": token },
        body: JSON.stringify({ project, verb, service }),
      });
      const res = await resp.json().catch(() => ({ error: resp.statusText, progress: [] }));
      $("progress").textContent = line + ": " + (res.ok ? "done" : "failed: " + res.error) + "\n" + (res.progress || []).join("\n");
    } catch (e) {
      $("progress").textContent = line + ": failed: " + e;
    }
  }

  function render(st) {
    const body = $("services").tBodies[0];
    body.replaceChildren();
    for (const r of st.rows) {
      const ports = el("td");
      for (const p of r.ports) {
        ports.append(p.url ? el("a", { href: p.url, target: "_blank", rel: "noopener", textContent: p.text }) : p.text, " ");
      }
      const actions = el("td");
      for (const [verb, label] of [["restart", "restart"], ["stop", "stop"], ["start", "start"], ["scale-up", "+1"], ["scale-down", "-1"]]) {
        actions.append(el("button", { textContent: label, className: "act-" + verb, onclick: () => act(verb, r.service) }));
      }
      const started = r.started_at && !r.started_at.startsWith("0001") ? r.started_at : "";
      body.append(el("tr", { "data-service": r.service, "data-container": r.name, "data-state": r.state, "data-health": r.health || "" },
        el("td", { textContent: r.name }),
        el("td", {}, el("span", { className: "state state-" + r.state, textContent: r.state })),
        el("td", {}, r.health ? el("span", { className: "state state-" + r.health, textContent: r.health }) : ""),
        el("td", { textContent: r.uptime || "" }),
        el("td", { className: "started", "data-started": started, textContent: started ? new Date(started).toLocaleTimeString() : "" }),
        el("td", { textContent: r.state === "running" ? "" : String(r.exit_code) }),
        ports,
        el("td", { textContent: r.image }),
        actions));
    }
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
