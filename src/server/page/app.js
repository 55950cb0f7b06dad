// codemode chat page: plain browser JavaScript, no build step. Talks to the same server's
// JSON API; renders the agent's NDJSON events as they arrive.
(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    messages: $("messages"),
    empty: $("empty"),
    nudges: $("nudges"),
    composer: $("composer"),
    input: $("input"),
    send: $("send"),
    stop: $("stop"),
    tools: $("tools"),
    notice: $("notice"),
    model: $("model"),
    sidebar: $("sidebar"),
  };
  const STORE_KEY = `codemode.chat:${location.pathname}`;
  // The id the server gave this chat: sent with each message so the server's programs start
  // from what the chat's earlier answers kept. The state itself stays on the server.
  const CHAT_ID_KEY = `${STORE_KEY}:id`;
  const TOKEN_KEY = "codemode.token";
  const MAX_STORED_CHARS = 2_000_000;
  const HISTORY_SENT = 40;

  /** @type {{ role: "user" | "assistant", content: string, events?: object[] }[]} */
  let messages = loadMessages();
  let running = null;
  let health = null;
  /** Work that waits for the current run to end (an approval clicked while it streams). */
  const whenIdle = [];

  // ---------------------------------------------------------------- helpers
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function authHeaders() {
    const token = localStorage.getItem(TOKEN_KEY);
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  async function getJson(path) {
    const response = await fetch(path, {
      headers: { accept: "application/json", ...authHeaders() },
    });
    const body = await response.json().catch(() => ({}));
    return { status: response.status, body };
  }

  function short(value, max = 80) {
    let text;
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
    if (text === undefined) text = "";
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  function formatArgs(args) {
    if (args && typeof args === "object" && !Array.isArray(args)) {
      return Object.entries(args)
        .map(([k, v]) => `${k}=${short(v, 40)}`)
        .join(", ");
    }
    return short(args);
  }

  function scrollToEnd() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  function isDark() {
    const forced = document.documentElement.dataset.theme;
    if (forced) return forced === "dark";
    return matchMedia("(prefers-color-scheme: dark)").matches;
  }

  // ---------------------------------------------------------------- storage
  function loadMessages() {
    try {
      const parsed = JSON.parse(localStorage.getItem(STORE_KEY) ?? "[]");
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  }

  function chatId() {
    try {
      return localStorage.getItem(CHAT_ID_KEY) ?? undefined;
    } catch {
      return undefined;
    }
  }

  function setChatId(id) {
    try {
      if (id) localStorage.setItem(CHAT_ID_KEY, id);
      else localStorage.removeItem(CHAT_ID_KEY);
    } catch {
      // Storage disabled: the next message starts a new chat on the server.
    }
  }

  /** New chat: the server forgets this chat's state (best effort). */
  function forgetChat() {
    const id = chatId();
    setChatId(undefined);
    if (!id) return;
    fetch("api/forget", {
      method: "POST",
      headers: { "content-type": "application/json", ...authHeaders() },
      body: JSON.stringify({ chatId: id }),
    }).catch(() => {});
  }

  function saveMessages() {
    let list = messages;
    let text = JSON.stringify(list);
    // Drop the oldest turns until the chat fits comfortably in localStorage.
    while (text.length > MAX_STORED_CHARS && list.length > 2) {
      list = list.slice(2);
      text = JSON.stringify(list);
    }
    try {
      localStorage.setItem(STORE_KEY, text);
    } catch {
      // Storage full or disabled: the chat still works, it just is not kept.
    }
  }

  /** Events are stored to redraw the chat later; bulky values are left out. */
  function storableEvent(event) {
    if (event.type === "tool_result") {
      const { result: _drop, ...record } = event.record;
      return { ...event, record };
    }
    if (event.type === "done") {
      const { value: _value, toolCalls: _calls, turns: _turns, ...result } = event.result;
      return { ...event, result };
    }
    if (event.type === "approval_requested") {
      // The whole program is in the code block already; keep the calling line only.
      return {
        ...event,
        approvals: event.approvals.map(({ code, ...approval }) => ({
          ...approval,
          lineText: approval.lineText ?? lineOf(code, approval.line),
        })),
      };
    }
    if (event.type === "turn_end") {
      // A look is redrawn from a short preview; its full value and calls are not kept.
      const { value, toolCalls: _calls, observation: _o, ...record } = event.record;
      return { ...event, record: { ...record, preview: lookPreview(value) } };
    }
    return event;
  }

  /** A look's value as short text: enough to see its shape, never megabytes in the DOM. */
  function lookPreview(value) {
    let text;
    try {
      text = JSON.stringify(value, null, 1) ?? "None";
    } catch {
      text = String(value);
    }
    return text.length > 2000
      ? `${text.slice(0, 2000)}\n… (${text.length - 2000} more characters)`
      : text;
  }

  function lineOf(code, line) {
    if (typeof code !== "string" || !line) return undefined;
    return code.split("\n")[line - 1]?.trim();
  }

  function assistantContent(events) {
    // A run resumed after its approvals ends with a later `done`: the last one counts.
    const last = events.findLast((e) => e.type === "done" || e.type === "error");
    if (last?.type === "error") return `Error: ${last.error.message}`;
    if (!last) return "(no answer)";
    const { result } = last;
    if (result.status === "suspended") {
      const tools = (result.pendingApprovals ?? []).map((a) => `${a.tool}()`).join(", ");
      return `(waiting for approval: ${tools})`;
    }
    return result.error ? `Error: ${result.error}` : result.summary;
  }

  // ---------------------------------------------------------------- theme
  $("toggle-theme").addEventListener("click", () => {
    const next = isDark() ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    localStorage.setItem("codemode.theme", next);
    for (const frame of document.querySelectorAll("iframe[data-chart]")) renderChartFrame(frame);
  });

  // ---------------------------------------------------------------- sidebar
  const toggleTools = (open) => {
    els.sidebar.classList.toggle("open", open);
    $("toggle-tools").setAttribute("aria-expanded", String(open));
  };
  $("toggle-tools").addEventListener("click", () =>
    toggleTools(!els.sidebar.classList.contains("open")),
  );
  $("close-tools").addEventListener("click", () => toggleTools(false));

  // The tool panel stays quick with hundreds of tools: a filter box (every word must match
  // the name, signature or description) and items rendered a page at a time, the next page
  // when the end of the list scrolls into view (or on "Show more").
  const TOOL_PAGE = 50;
  const toolPanel = { all: [], matching: [], rendered: 0, observer: null };

  function renderTools(tools) {
    toolPanel.all = tools.map((tool) => ({
      tool,
      text: `${tool.name} ${tool.signature} ${tool.description ?? ""}`.toLowerCase(),
    }));
    let search = $("tool-search");
    if (!search) {
      search = el("input", {
        id: "tool-search",
        type: "search",
        class: "tool-search",
        placeholder: "Filter tools…",
        "aria-label": "Filter tools",
        autocomplete: "off",
        oninput: () => filterTools(search.value),
      });
      els.tools.before(search, el("p", { id: "tool-count", class: "hint tool-count" }));
    }
    search.hidden = tools.length <= 10;
    filterTools(search.hidden ? "" : search.value);
  }

  function filterTools(query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    toolPanel.matching = toolPanel.all
      .filter((entry) => words.every((word) => entry.text.includes(word)))
      .map((entry) => entry.tool);
    toolPanel.rendered = 0;
    toolPanel.observer?.disconnect();
    els.tools.replaceChildren();
    const total = toolPanel.all.length;
    const count = $("tool-count");
    count.hidden = total <= 10;
    count.textContent =
      words.length === 0
        ? `${total} tools`
        : `${toolPanel.matching.length} of ${total} tools match`;
    if (total === 0) els.tools.append(el("li", { class: "hint", text: "No tools." }));
    else if (toolPanel.matching.length === 0) {
      els.tools.append(el("li", { class: "hint", text: `No tool matches "${query.trim()}".` }));
    } else renderMoreTools();
  }

  function renderMoreTools() {
    els.tools.querySelector(".tools-more")?.remove();
    const { matching } = toolPanel;
    const next = matching.slice(toolPanel.rendered, toolPanel.rendered + TOOL_PAGE);
    toolPanel.rendered += next.length;
    els.tools.append(
      ...next.map((tool) =>
        el(
          "li",
          { class: "tool" },
          el("code", { text: tool.signature }),
          tool.description ? el("p", { text: tool.description.replace(/\s*\n\s*/g, " ") }) : null,
        ),
      ),
    );
    const left = matching.length - toolPanel.rendered;
    if (left <= 0) return;
    const more = el(
      "li",
      { class: "tools-more" },
      el("button", {
        type: "button",
        class: "ghost",
        text: `Show ${Math.min(left, TOOL_PAGE)} more (${left} left)`,
        onclick: renderMoreTools,
      }),
    );
    els.tools.append(more);
    if ("IntersectionObserver" in window) {
      toolPanel.observer?.disconnect();
      toolPanel.observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) renderMoreTools();
      });
      toolPanel.observer.observe(more);
    }
  }

  function renderNudges(nudges) {
    els.nudges.replaceChildren(
      ...nudges.map((text) =>
        el("button", {
          type: "button",
          class: "chip",
          text,
          onclick: () => {
            if (running) return;
            els.input.value = text;
            send();
          },
        }),
      ),
    );
  }

  // ---------------------------------------------------------------- notices
  function showNotice(kind, title, text, commands = []) {
    els.notice.className = `notice ${kind}`;
    els.notice.replaceChildren(
      el("button", {
        type: "button",
        class: "ghost icon dismiss",
        "aria-label": "Dismiss",
        text: "✕",
        onclick: () => {
          els.notice.hidden = true;
        },
      }),
      el("strong", { text: title }),
      text ? el("span", { text }) : null,
      ...commands.map((c) => el("pre", { text: c })),
    );
    els.notice.hidden = false;
  }

  function showTokenForm() {
    showNotice("warn", "This chat needs a token.", "Paste the token the server was started with.");
    const input = el("input", { type: "password", placeholder: "token", "aria-label": "Token" });
    const form = el(
      "form",
      {
        onsubmit: (event) => {
          event.preventDefault();
          localStorage.setItem(TOKEN_KEY, input.value.trim());
          els.notice.hidden = true;
          loadSidebar();
        },
      },
      input,
      el("button", { type: "submit", class: "primary", text: "Use token" }),
    );
    els.notice.append(form);
  }

  async function loadHealth() {
    try {
      const { body } = await getJson("health");
      health = body;
    } catch {
      showNotice("warn", "The server is not reachable.", "Is codemode chat still running?");
      return;
    }
    if (health.model) {
      els.model.textContent = health.model;
      els.model.hidden = false;
    }
    const llm = health.llm ?? { ready: true };
    if (!llm.ready) {
      const title = llm.missingEnvVar
        ? `Set ${llm.missingEnvVar} to chat with ${health.model}.`
        : `The model ${health.model} cannot be called.`;
      showNotice("warn", title, llm.notice ?? "", llm.commands ?? []);
      els.notice.dataset.kind = "missing-key";
    } else if (llm.notice) {
      showNotice("info", "Offline demo", llm.notice);
    }
  }

  async function loadSidebar() {
    try {
      const tools = await getJson("api/tools");
      if (tools.status === 401) {
        showTokenForm();
        return;
      }
      renderTools(tools.body.tools ?? []);
      const nudges = await getJson("api/nudges");
      renderNudges(nudges.body.nudges ?? []);
    } catch {
      els.tools.replaceChildren(el("li", { class: "hint", text: "Could not load the tools." }));
    }
  }

  // ---------------------------------------------------------------- charts
  const chartScript = new URL("assets/vendor/chart.umd.js", document.baseURI).href;
  const frameScript = new URL("assets/chart-frame.js", document.baseURI).href;

  function renderChartFrame(frame) {
    const chart = JSON.parse(frame.dataset.chart);
    if (typeof chart === "string") {
      frame.srcdoc = chart;
      return;
    }
    const payload = JSON.stringify({ config: chart, dark: isDark() }).replace(/</g, "\\u003c");
    frame.srcdoc = `<!doctype html><html><head><meta charset="utf-8"><style>:root{color-scheme:${isDark() ? "dark" : "light"}}html,body{margin:0;height:100%;background:transparent;font:13px system-ui,sans-serif;color:${isDark() ? "#e6e8ef" : "#1b1f2a"}}#wrap{position:relative;height:100%;padding:10px;box-sizing:border-box}</style></head><body><div id="wrap"><canvas id="chart"></canvas></div><script type="application/json" id="config">${payload}</script><script src="${chartScript}"></script><script src="${frameScript}"></script></body></html>`;
  }

  function chartFrame(chart, index) {
    // allow-scripts without allow-same-origin: the chart code runs in an opaque origin and
    // cannot read this page, its storage or its token.
    const frame = el("iframe", {
      sandbox: "allow-scripts",
      title: `Chart ${index + 1}`,
      loading: "lazy",
      "data-chart": JSON.stringify(chart),
    });
    renderChartFrame(frame);
    return frame;
  }

  // ---------------------------------------------------------------- approvals
  const LONG_VALUE_CHARS = 240;
  const LONG_VALUE_LINES = 8;

  /** An argument's value as text (strings as they are, the rest as pretty JSON), long ones folded. */
  function argValue(value) {
    let text;
    if (typeof value === "string") text = value;
    else {
      try {
        text = JSON.stringify(value, null, 2) ?? String(value);
      } catch {
        text = String(value);
      }
    }
    const lines = text.split("\n");
    if (text.length <= LONG_VALUE_CHARS && lines.length <= LONG_VALUE_LINES) {
      return el("pre", { class: "arg-value", text });
    }
    const head = lines[0].slice(0, 80);
    return el(
      "details",
      { class: "arg-long" },
      el("summary", {
        text: `${head}${head.length < text.length ? "…" : ""} (${text.length} characters)`,
      }),
      el("pre", { class: "arg-value", text }),
    );
  }

  function argsList(args) {
    if (!args || typeof args !== "object" || Array.isArray(args)) return argValue(args);
    const entries = Object.entries(args);
    if (entries.length === 0) return el("p", { class: "hint", text: "No arguments." });
    const list = el("dl", { class: "approval-args" });
    for (const [name, value] of entries)
      list.append(el("dt", { text: name }), el("dd", {}, argValue(value)));
    return list;
  }

  /**
   * A card for one call waiting for approval. Everything model-made (the tool's arguments,
   * the line) goes in as text, never as HTML.
   */
  function approvalCard(approval, lineText, { readOnly, onChoose }) {
    const status = el("p", { class: "approval-status", role: "status" });
    const reason = el("input", {
      type: "text",
      class: "approval-reason",
      maxlength: "2000",
      placeholder: "Reason (optional)",
      "aria-label": `Reason for ${approval.tool}`,
    });
    const approve = el("button", { type: "button", class: "primary approve", text: "Approve" });
    const deny = el("button", { type: "button", class: "danger deny", text: "Deny" });
    const actions = el("div", { class: "approval-actions" }, reason, approve, deny);
    const node = el(
      "section",
      { class: "approval", "aria-label": `Approval for ${approval.tool}` },
      el(
        "div",
        { class: "approval-head" },
        el("span", { class: "approval-badge", text: "Needs approval" }),
        el("code", { class: "approval-tool", text: `${approval.tool}()` }),
      ),
      approval.line
        ? el(
            "div",
            { class: "approval-line" },
            el("span", { text: `line ${approval.line}` }),
            lineText ? el("code", { text: lineText }) : null,
          )
        : null,
      argsList(approval.args),
      approval.ranBefore
        ? el("div", {
            class: "approval-repeat",
            text: `This call already ran ${approval.ranBefore === 1 ? "once" : `${approval.ranBefore} times`} in this run, with the same arguments.`,
          })
        : null,
      readOnly ? null : actions,
      status,
    );
    node.dataset.approvalId = approval.id;
    const setButtons = (enabled) => {
      for (const control of [reason, approve, deny]) control.disabled = !enabled;
      // Once decided, the status line says what was chosen; the controls step aside.
      actions.hidden = !enabled;
    };
    const show = (state, text) => {
      node.dataset.state = state;
      status.textContent = text;
    };
    const choose = (approved) => {
      const why = reason.value.trim();
      const decision = why ? { approved, reason: why } : approved;
      setButtons(false);
      const left = onChoose(decision);
      show(
        approved ? "approved" : "denied",
        left > 0
          ? `${approved ? "Approved" : "Denied"}; decide the other ${left} to continue.`
          : "Sending…",
      );
    };
    approve.addEventListener("click", () => choose(true));
    deny.addEventListener("click", () => choose(false));
    const decisionText = (approved, why) =>
      `${approved ? "Approved" : "Denied"}${why ? `: ${why}` : ""}`;
    return {
      node,
      sent(decision) {
        setButtons(false);
        const approved = decision === true || decision?.approved === true;
        reason.value = typeof decision === "object" ? (decision.reason ?? "") : "";
        show(approved ? "approved" : "denied", `${decisionText(approved, reason.value)} · sent`);
      },
      decided(event) {
        setButtons(false);
        show(event.approved ? "approved" : "denied", decisionText(event.approved, event.reason));
      },
      failed(failure) {
        setButtons(Boolean(failure.retry));
        show("error", `${failure.title}: ${failure.message}`);
      },
    };
  }

  // ---------------------------------------------------------------- one answer
  /**
   * Renders a run's events into an answer card; used live and when redrawing history.
   * `onDecide(continuationId, decisions)` is called when every approval of a suspended run
   * has been clicked.
   */
  function createAnswerView({ onDecide } = {}) {
    const card = el("div", { class: "answer" });
    const phases = el("div", { class: "phases" });
    const codes = el("div", { class: "codes" });
    const calls = el("ul", { class: "calls" });
    const body = el("div", { class: "body" });
    card.append(phases, codes, calls, body);
    const state = {
      currentPhase: null,
      codeBlocks: new Map(),
      callRows: new Map(),
      output: null,
      maxTurns: 1,
      /** The calling line of each approval, by id, from approval_requested. */
      lineTexts: new Map(),
      /** Approval cards by approval id, and each suspension's group by continuationId. */
      approvalCards: new Map(),
      approvalGroups: new Map(),
    };

    const phase = (text, status = "active") => {
      if (state.currentPhase?.classList.contains("active")) {
        state.currentPhase.classList.replace("active", "done");
      }
      const chip = el("span", { class: `phase ${status}`, text });
      phases.append(chip);
      state.currentPhase = chip;
      return chip;
    };
    const failCurrent = () => {
      state.currentPhase?.classList.remove("active", "done");
      state.currentPhase?.classList.add("failed");
    };
    const errorBox = (title, text, retry = false) =>
      body.append(
        el(
          "div",
          { class: `error-box${retry ? " retry" : ""}` },
          el("strong", { text: title }),
          el("pre", { text }),
        ),
      );

    // With the turn loop on, code blocks and calls are keyed by turn and attempt.
    const key = (event) => `${event.turn ?? 1}:${event.attempt}`;
    function onEvent(event) {
      const of = event.maxAttempts ? ` ${event.attempt}/${event.maxAttempts}` : "";
      switch (event.type) {
        case "turn_start":
          state.maxTurns = event.maxTurns;
          if (event.turn > 1) phase(`Turn ${event.turn}`);
          break;
        case "turn_end": {
          const { record } = event;
          if (record.kind !== "look") break;
          const block = state.codeBlocks.get(`${record.turn}:${record.attempts}`);
          const preview = record.preview ?? lookPreview(record.value);
          const look = el(
            "details",
            { class: "look" },
            el("summary", { text: `Turn ${record.turn} looked at` }),
            el("pre", { class: "look-value", text: preview }),
          );
          if (block) block.after(look);
          else codes.append(look);
          if (block) block.open = false;
          break;
        }
        case "generating_code":
          phase(event.attempt > 1 ? `Writing code (attempt${of})` : "Writing code");
          break;
        case "code_generated": {
          if (state.currentPhase?.classList.contains("active")) {
            state.currentPhase.classList.replace("active", "done");
          }
          for (const block of state.codeBlocks.values()) block.open = false;
          const pre = el("pre", {}, el("code", { class: "language-python" }));
          pre.firstChild.textContent = event.code || "(no code in the reply)";
          if (window.hljs && event.code) window.hljs.highlightElement(pre.firstChild);
          const bits = state.maxTurns > 1 ? [`turn ${event.turn ?? 1}`] : [];
          if (state.maxTurns <= 1 || event.attempt > 1) bits.push(`attempt${of}`);
          const label = el("summary", { text: ["Code", ...bits].join(" · ") });
          const block = el("details", { class: "code", open: "" }, label, pre);
          state.codeBlocks.set(key(event), block);
          codes.append(block);
          break;
        }
        case "executing":
          phase(event.attempt > 1 ? `Running (attempt${of})` : "Running");
          break;
        case "tool_call": {
          const row = el(
            "li",
            { class: "call pending" },
            el("span", {
              class: "sig",
              text: `${event.call.name}(${formatArgs(event.call.args)})`,
            }),
            el("span", { class: "status", text: "…" }),
          );
          row.title = `${event.call.name}(${short(event.call.args, 2000)})`;
          state.callRows.set(`${key(event)}:${event.call.seq}`, row);
          calls.append(row);
          break;
        }
        case "tool_result": {
          const { record } = event;
          const row = state.callRows.get(`${key(event)}:${record.seq}`);
          if (!row) break;
          const ms = `${Number(record.durationMs ?? 0).toFixed(1)} ms`;
          row.classList.remove("pending");
          row.classList.add(record.ok ? "ok" : "error");
          row.querySelector(".status").textContent = record.ok
            ? `✓ ${ms}`
            : `✗ ${record.error?.type ?? "Error"}`;
          if (record.replayed) {
            row.classList.add("replayed");
            row.querySelector(".status").textContent += " replayed (ran in an earlier attempt)";
          }
          if (!record.ok && record.error) {
            row.append(el("span", { class: "err", text: record.error.message }));
          }
          break;
        }
        case "output":
          if (!state.output) {
            state.output = el("pre", { class: "output", title: "Printed output" });
            card.insertBefore(state.output, body);
          }
          state.output.textContent += event.text;
          break;
        case "retrying": {
          failCurrent();
          const block = state.codeBlocks.get(key(event));
          if (block) {
            block.classList.add("failed");
            block.querySelector("summary").textContent += " · failed";
          }
          errorBox(`Attempt ${event.attempt} failed, retrying`, event.error, true);
          phase("Retrying", "warn");
          break;
        }
        case "formatting":
          phase("Formatting");
          break;
        case "approval_requested":
          for (const approval of event.approvals ?? []) {
            const lineText = approval.lineText ?? lineOf(approval.code, approval.line);
            if (lineText) state.lineTexts.set(approval.id, lineText);
          }
          phase("Waiting for approval");
          break;
        case "approval_submitted":
          state.approvalGroups.get(event.continuationId)?.submitted(event.decisions);
          break;
        case "approval_error":
          state.approvalGroups.get(event.continuationId)?.failed(event);
          break;
        case "approval_decided":
          state.approvalCards.get(event.id)?.decided(event);
          break;
        case "done":
          if (event.result.status === "suspended") renderApprovals(event);
          else renderResult(event.result);
          break;
        case "error":
          failCurrent();
          errorBox("The run failed", event.error.message);
          break;
        case "client_error":
          failCurrent();
          errorBox(event.title, event.message);
          break;
        default:
          break;
      }
    }

    /** One card per pending approval; the decisions go out once every card is decided. */
    function renderApprovals(event) {
      const pending = event.result.pendingApprovals ?? [];
      const id = event.continuationId;
      const group = el("div", { class: "approvals" });
      if (id) group.dataset.continuationId = id;
      const chosen = {};
      const cards = pending.map((approval) =>
        approvalCard(approval, state.lineTexts.get(approval.id), {
          readOnly: !id,
          onChoose: (decision) => {
            chosen[approval.id] = decision;
            const left = pending.filter((a) => !(a.id in chosen)).length;
            if (left === 0) onDecide?.(id, { ...chosen });
            return left;
          },
        }),
      );
      for (const [i, card] of cards.entries()) state.approvalCards.set(pending[i].id, card);
      group.append(...cards.map((card) => card.node));
      if (!id) {
        group.append(
          el("p", {
            class: "approval-note",
            text:
              event.resumeUnavailable ??
              "This run waits for approval, but this server cannot resume it.",
          }),
        );
      }
      body.append(group);
      if (id) {
        state.approvalGroups.set(id, {
          submitted: (decisions) => {
            for (const [key, decision] of Object.entries(decisions ?? {})) {
              state.approvalCards.get(key)?.sent(decision);
            }
          },
          failed: (failure) => {
            for (const key of Object.keys(chosen)) delete chosen[key];
            for (const card of cards) card.failed(failure);
          },
        });
      }
    }

    function renderResult(result) {
      if (result.error) {
        failCurrent();
        const block = [...state.codeBlocks.values()].at(-1);
        if (block && result.code) {
          block.classList.add("failed");
          block.querySelector("summary").textContent += " · failed";
        }
        phase("Failed", "failed");
        errorBox("The run failed", result.error);
        // What the run already changed: it happened, so the person should not redo it blindly.
        if (Array.isArray(result.effects) && result.effects.length > 0) {
          body.append(
            el(
              "div",
              { class: "effects" },
              el("strong", { text: "These calls completed before the failure and changed things" }),
              el(
                "ul",
                {},
                ...result.effects.map((e) =>
                  el("li", {
                    class: e.ok ? "ok" : "error",
                    text: `${e.tool}(${formatArgs(e.args)}) ${e.ok ? `→ ${short(e.result, 200)}` : `✗ ${e.error?.type ?? "Error"}`}`,
                  }),
                ),
              ),
            ),
          );
        }
      } else {
        phase("Done", "done");
        // The answer is what matters now; the code and the looks stay one click away.
        for (const block of state.codeBlocks.values()) block.open = false;
        for (const look of codes.querySelectorAll("details.look")) look.open = false;
        const summary = el("div", { class: "summary" });
        const html = window.marked ? window.marked.parse(result.summary ?? "") : "";
        // The summary is model output: sanitize before it touches the DOM.
        summary.innerHTML = window.DOMPurify ? window.DOMPurify.sanitize(html) : "";
        if (!window.marked || !window.DOMPurify) summary.textContent = result.summary ?? "";
        for (const code of summary.querySelectorAll("pre code"))
          window.hljs?.highlightElement(code);
        body.append(summary);
        if (Array.isArray(result.charts) && result.charts.length > 0) {
          body.append(el("div", { class: "charts" }, ...result.charts.map(chartFrame)));
        }
      }
      const usage = result.usage ?? {};
      const calls = Array.isArray(result.toolCalls) ? result.toolCalls.length : state.callRows.size;
      const turns = Array.isArray(result.turns) ? result.turns.length : 0;
      const parts = [
        ...(state.maxTurns > 1 ? [`${turns || "?"} turn${turns === 1 ? "" : "s"}`] : []),
        `${result.attempts} attempt${result.attempts === 1 ? "" : "s"}`,
        `${calls} tool call${calls === 1 ? "" : "s"}`,
        `${((result.durationMs ?? 0) / 1000).toFixed(1)} s`,
      ];
      if (usage.inputTokens || usage.outputTokens) {
        parts.push(`tokens ${usage.inputTokens ?? 0} in / ${usage.outputTokens ?? 0} out`);
      }
      card.append(el("div", { class: "meta", text: parts.join(" · ") }));
      if (state.currentPhase?.classList.contains("active")) {
        state.currentPhase.classList.replace("active", "done");
      }
    }

    return { card, onEvent };
  }

  // ---------------------------------------------------------------- chat
  function addUserBubble(text) {
    els.messages.append(el("div", { class: "msg user" }, el("div", { class: "bubble", text })));
  }

  /** An answer card for `message` (an assistant message, whose events it records). */
  function addAnswer(message) {
    const view = createAnswerView({
      onDecide: (continuationId, decisions) => {
        const go = () => resumeRun(message, view, continuationId, decisions);
        if (running) whenIdle.push(go);
        else go();
      },
    });
    els.messages.append(el("div", { class: "msg assistant" }, view.card));
    return view;
  }

  function redraw() {
    els.messages.replaceChildren(els.empty);
    els.empty.hidden = messages.length > 0;
    for (const message of messages) {
      if (message.role === "user") addUserBubble(message.content);
      else {
        message.events ??= [];
        const view = addAnswer(message);
        for (const event of message.events) view.onEvent(event);
      }
    }
    scrollToEnd();
  }

  function setRunning(controller) {
    running = controller;
    els.send.hidden = Boolean(controller);
    els.stop.hidden = !controller;
    els.input.disabled = Boolean(controller);
    for (const chip of els.nudges.querySelectorAll("button")) chip.disabled = Boolean(controller);
    if (!controller) for (const work of whenIdle.splice(0)) work();
  }

  async function send() {
    const text = els.input.value.trim();
    if (!text || running) return;
    const history = messages
      .slice(-HISTORY_SENT)
      .map((m) => ({ role: m.role, content: m.content }));
    els.input.value = "";
    autosize();
    els.empty.hidden = true;
    addUserBubble(text);
    const events = [];
    const answer = { role: "assistant", content: "", events };
    const view = addAnswer(answer);
    const record = (event) => {
      if (event.type === "done" && typeof event.chatId === "string") setChatId(event.chatId);
      events.push(storableEvent(event));
      view.onEvent(event);
      scrollToEnd();
    };
    messages.push({ role: "user", content: text });
    saveMessages();
    const controller = new AbortController();
    setRunning(controller);
    try {
      const id = chatId();
      const body = { message: text, history, ...(id ? { chatId: id } : {}) };
      await streamRun("api/chat", body, record, controller, (failure) =>
        record({ type: "client_error", ...failure }),
      );
    } finally {
      answer.content = assistantContent(events);
      messages.push(answer);
      saveMessages();
      setRunning(null);
      els.input.focus();
      scrollToEnd();
    }
  }

  /** Sends a suspended run's decisions; the rest of the answer streams into the same card. */
  async function resumeRun(message, view, continuationId, decisions) {
    const record = (event) => {
      message.events.push(storableEvent(event));
      view.onEvent(event);
      scrollToEnd();
    };
    record({ type: "approval_submitted", continuationId, decisions });
    saveMessages();
    const controller = new AbortController();
    setRunning(controller);
    try {
      await streamRun(
        "api/approvals",
        { continuationId, decisions },
        record,
        controller,
        (failure) =>
          record({
            type: "approval_error",
            continuationId,
            ...failure,
            // 410: the run was resumed already (another tab, a second click); nothing to retry.
            retry: failure.status !== 410,
          }),
      );
    } finally {
      message.content = assistantContent(message.events);
      saveMessages();
      setRunning(null);
      scrollToEnd();
    }
  }

  const REFUSALS = {
    MODEL_NOT_CONFIGURED: "No model configured",
    BUSY: "The server is busy",
    UNAUTHORIZED: "Not signed in",
    BODY_TOO_LARGE: "The chat is too long",
    APPROVAL_GONE: "No longer waiting",
    RESUME_NOT_SUPPORTED: "Cannot resume here",
  };

  /**
   * POSTs `body` to `path` and feeds the NDJSON events to `record`; a refusal, a cut-off
   * stream or a network failure goes to `refused({ title, message, status? })` instead.
   */
  async function streamRun(path, body, record, controller, refused) {
    let ended = false;
    const onEvent = (event) => {
      if (event.type === "done" || event.type === "error") ended = true;
      record(event);
    };
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/x-ndjson",
          ...authHeaders(),
        },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (!response.ok) {
        const answer = await response.json().catch(() => ({}));
        const message = answer.error?.message ?? `HTTP ${response.status}`;
        if (response.status === 401) showTokenForm();
        const title = REFUSALS[answer.error?.code] ?? `The server refused (${response.status})`;
        refused({ title, message, status: response.status });
      } else {
        await readNdjson(response, onEvent);
        if (!ended) {
          refused({
            title: "The answer was cut off",
            message: "The connection closed before the run finished. Try again.",
          });
        }
      }
    } catch (error) {
      if (controller.signal.aborted) {
        refused({ title: "Stopped", message: "You stopped this run." });
      } else {
        refused({
          title: "Could not reach the server",
          message: String(error?.message ?? error),
        });
      }
    }
  }

  async function readNdjson(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) onEvent(JSON.parse(line));
        newline = buffer.indexOf("\n");
      }
      if (done) break;
    }
    if (buffer.trim()) onEvent(JSON.parse(buffer));
  }

  // ---------------------------------------------------------------- composer
  function autosize() {
    els.input.style.height = "auto";
    els.input.style.height = `${Math.min(els.input.scrollHeight, 160)}px`;
  }
  els.input.addEventListener("input", autosize);
  els.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  els.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  els.stop.addEventListener("click", () => running?.abort());
  // Another tab of this chat saved (an approval decided there, a new message): show it here.
  window.addEventListener("storage", (event) => {
    if (event.key !== STORE_KEY || running) return;
    messages = loadMessages();
    redraw();
  });
  $("new-chat").addEventListener("click", () => {
    if (running) running.abort();
    forgetChat();
    messages = [];
    saveMessages();
    redraw();
    els.input.focus();
  });

  redraw();
  loadHealth();
  loadSidebar();
})();
