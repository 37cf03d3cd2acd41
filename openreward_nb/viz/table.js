// A sortable, filterable table (anywidget ES module) for runs and rollouts.
// Every cell is set with textContent; clicking a row sets the `selected` trait to the row's id.
// The `filter` trait ({key, lo, hi, closed, label}) keeps rows whose `key` is in a range: the run
// charts set it when clicked, and the range inputs (for the `range_key` column) set it too.
// Labels (openreward_nb.annotations): a `labels` column shows each row's labels as chips, and
// `label_filter` ({label} or {unlabelled: true}) keeps the rows carrying a label, or none yet.
// With `labelling` on, the keyboard labels the selected row while the table has focus (and only
// then: keys pressed anywhere else are never seen here): 1-9 toggle the label set's labels, n
// writes a note, j / k (or the arrows) move to the next / previous row, u to the next row not
// labelled yet, Esc gives the keys back. The kernel writes each change and answers with the
// row's labels; `data-lm-suppress-shortcuts` keeps JupyterLab's own shortcuts (in command mode j
// moves to the next cell, m turns it into markdown) from acting on keys pressed in the table.

const STEP = 200;


function fmt(value, kind) {
  if (value === null || value === undefined || value === "") return "";
  if (kind === "reward") return (Math.round(value * 1e4) / 1e4).toString();
  if (kind === "int") return Number(value).toLocaleString("en-US");
  if (kind === "duration") {
    if (value < 1) return `${Math.round(value * 1000)} ms`;
    if (value < 60) return `${value.toFixed(1)} s`;
    const m = Math.floor(value / 60);
    return m < 60 ? `${m}m ${String(Math.floor(value % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
  }
  if (kind === "time") return new Date(value * 1000).toLocaleString();
  return String(value);
}

function compare(a, b) {
  const na = a === null || a === undefined, nb = b === null || b === undefined;
  if (na || nb) return na === nb ? 0 : na ? 1 : -1; // empty cells last
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function inRange(value, f) {
  if (value === null || value === undefined) return false;
  if (f.lo !== null && f.lo !== undefined && value < f.lo) return false;
  if (f.hi !== null && f.hi !== undefined && (f.closed ? value > f.hi : value >= f.hi)) return false;
  return true;
}

function chips(labels) {
  const box = el("span", "orw-chips");
  for (const label of labels || []) {
    const chip = el("span", "orw-chip", label);
    chip.title = label;
    box.append(chip);
  }
  return box;
}

function keyOf(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (/^[1-9]$/.test(e.key)) return e.key;
  return { j: "next", ArrowDown: "next", k: "prev", ArrowUp: "prev", u: "unlabelled", n: "note", Escape: "leave" }[e.key] || null;
}

function numberOrNull(text) {
  const v = parseFloat(text);
  return Number.isFinite(v) ? v : null;
}

function render({ model, el: root }) {
  root.classList.add("orw-table");
  const bar = el("div", "orw-table-bar");
  const caption = el("span", "orw-table-caption");
  const filter = el("input", "orw-table-filter");
  filter.type = "search";
  filter.placeholder = "filter rows…";
  const range = el("span", "orw-table-range");
  const lo = el("input", "orw-range-lo");
  const hi = el("input", "orw-range-hi");
  for (const box of [lo, hi]) { box.type = "number"; box.step = "any"; }
  lo.placeholder = "min";
  hi.placeholder = "max";
  const chip = el("button", "orw-table-chip");
  chip.title = "clear this filter";
  const count = el("span", "orw-table-count");
  const labelFilter = el("select", "orw-table-labelfilter");
  labelFilter.title = "show rollouts by label";
  bar.append(caption, filter, labelFilter, range, chip, count);
  const lbar = el("div", "orw-labelbar");
  const keysEl = el("span", "orw-label-keys");
  const noteBox = el("input", "orw-note-input");
  noteBox.placeholder = "note on this rollout (Enter saves, Esc cancels)";
  const setBox = el("input", "orw-labelset-input");
  setBox.placeholder = "labels, comma-separated (Enter saves, Esc cancels)";
  const editSet = el("button", "orw-labelset-edit", "edit labels");
  editSet.title = "change the labels on the number keys (kept in the store for this run)";
  const status = el("span", "orw-dim orw-label-status");
  noteBox.hidden = setBox.hidden = true;
  lbar.append(keysEl, editSet, noteBox, setBox, status);
  const scroller = el("div", "orw-table-scroll");
  const table = el("table");
  const thead = el("thead");
  const tbody = el("tbody");
  table.append(thead, tbody);
  scroller.append(table);
  const more = el("button", "orw-table-more");
  root.append(bar, lbar, scroller, more);

  let sortKey = model.get("sort_key") || null;
  let sortDir = model.get("sort_desc") ? -1 : 1;
  let limit = STEP;
  let query = "";

  function rangeColumn() {
    const key = model.get("range_key");
    return key ? model.get("columns").find((c) => c.key === key) : undefined;
  }

  function hasLabels() {
    return model.get("columns").some((c) => c.kind === "labels");
  }

  function visibleRows() {
    const cols = model.get("columns");
    let rows = model.get("rows");
    const f = model.get("filter") || {};
    if (f.key) rows = rows.filter((r) => inRange(r[f.key], f));
    const lf = model.get("label_filter") || {};
    if (lf.unlabelled) rows = rows.filter((r) => !(r.labels || []).length);
    else if (lf.label) rows = rows.filter((r) => (r.labels || []).includes(lf.label));
    if (query) {
      rows = rows.filter((r) => cols.some((c) => fmt(r[c.key], c.kind).toLowerCase().includes(query)));
    }
    if (sortKey) rows = [...rows].sort((a, b) => sortDir * compare(a[sortKey], b[sortKey]));
    return rows;
  }

  function draw() {
    const cols = model.get("columns");
    caption.textContent = model.get("caption");
    const tr = el("tr");
    for (const c of cols) {
      const th = el("th", `orw-th orw-k-${c.kind}`, c.label);
      if (c.key === sortKey) th.classList.add(sortDir > 0 ? "orw-asc" : "orw-desc");
      th.addEventListener("click", () => {
        if (sortKey === c.key) sortDir = -sortDir;
        else { sortKey = c.key; sortDir = c.kind === "text" ? 1 : -1; }
        draw();
      });
      tr.append(th);
    }
    thead.replaceChildren(tr);
    drawLabelFilter();
    const rows = visibleRows();
    const selected = currentId();
    const frag = document.createDocumentFragment();
    for (const r of rows.slice(0, limit)) {
      const row = el("tr", "orw-row");
      if (r.id === selected) row.classList.add("orw-selected");
      row.dataset.id = r.id;
      for (const c of cols) {
        const td = el("td", `orw-k-${c.kind}`, c.kind === "labels" ? null : fmt(r[c.key], c.kind));
        if (c.kind === "labels") td.append(chips(r[c.key]));
        if (c.kind === "status") td.classList.add(`orw-st-${r[c.key]}`);
        row.append(td);
      }
      row.addEventListener("click", () => {
        if (model.get("labelling")) root.focus({ preventScroll: true });
        select(r.id, 0);
      });
      frag.append(row);
    }
    tbody.replaceChildren(frag);
    const at = rows.findIndex((r) => r.id === selected);
    if (at >= 0) position = at;
    drawLabelling();
    const f = model.get("filter") || {};
    chip.hidden = !f.key;
    chip.textContent = f.key ? `${f.label || f.key} ✕` : "";
    const rc = rangeColumn();
    range.hidden = !rc;
    if (rc && !range.firstChild) range.append(el("span", "orw-dim", rc.label), lo, el("span", "orw-dim", "to"), hi);
    if (rc && document.activeElement !== lo && document.activeElement !== hi) {
      const mine = f.key === rc.key;
      lo.value = mine && f.lo !== null && f.lo !== undefined ? f.lo : "";
      hi.value = mine && f.hi !== null && f.hi !== undefined ? f.hi : "";
    }
    const all = model.get("rows").length;
    count.textContent = rows.length === all ? `${all.toLocaleString("en-US")} rows` : `${rows.length.toLocaleString("en-US")} of ${all.toLocaleString("en-US")} rows`;
    more.hidden = rows.length <= limit;
    more.textContent = `show ${Math.min(STEP, rows.length - limit)} more`;
  }

  // --- labels: the filter, the labelling bar, the keyboard -----------------------------------
  let position = 0; // where the selection was among the visible rows (the row after it slides in when it leaves)
  let selectTimer = null;
  let selectedNow = null; // a row chosen by key, before the kernel hears of it
  let noteFor = null;

  function select(id, delay) {
    // the row is marked at once; the kernel (which opens its timeline) hears of it once the keys rest
    clearTimeout(selectTimer);
    if (delay) {
      selectedNow = id;
      draw();
      selectTimer = setTimeout(() => { selectedNow = null; model.set("selected", id); model.save_changes(); }, delay);
    } else {
      selectedNow = null;
      model.set("selected", id);
      model.save_changes();
    }
  }

  function drawLabelFilter() {
    labelFilter.hidden = !hasLabels();
    if (labelFilter.hidden) return;
    const lf = model.get("label_filter") || {};
    const known = new Set(model.get("label_set") || []);
    for (const r of model.get("rows")) for (const l of r.labels || []) known.add(l);
    const options = [["", "all rollouts"], ["\u0000unlabelled", "not yet labelled"], ...[...known].map((l) => [l, `label: ${l}`])];
    labelFilter.replaceChildren(...options.map(([value, text]) => { const o = el("option", null, text); o.value = value; return o; }));
    labelFilter.value = lf.unlabelled ? "\u0000unlabelled" : lf.label && known.has(lf.label) ? lf.label : "";
  }

  function drawLabelling() {
    const on = !!model.get("labelling");
    lbar.hidden = !on;
    // only a labelling table takes focus, and while it has it, JupyterLab's shortcuts stand aside
    if (on && !root.hasAttribute("data-lm-suppress-shortcuts")) {
      root.tabIndex = 0;
      root.setAttribute("data-lm-suppress-shortcuts", "true");
    } else if (!on && root.hasAttribute("data-lm-suppress-shortcuts")) {
      root.removeAttribute("tabindex");
      root.removeAttribute("data-lm-suppress-shortcuts");
    }
    if (!on) return;
    const id = currentId();
    const row = model.get("rows").find((r) => r.id === id);
    const have = new Set((row && row.labels) || []);
    keysEl.replaceChildren();
    (model.get("label_set") || []).forEach((label, i) => {
      const b = el("button", "orw-label-key");
      if (i < 9) b.append(el("kbd", null, String(i + 1)));
      b.append(document.createTextNode(label));
      b.dataset.label = label;
      b.classList.toggle("orw-on", have.has(label));
      b.disabled = !row;
      b.addEventListener("click", () => { if (row) toggle(row.id, label); });
      keysEl.append(b);
    });
    if (!status.classList.contains("orw-label-error")) {
      const who = model.get("author");
      // the same text focused or not (a line that changed length under a click would move the rows)
      const keys = "click a row, then 1–9 label · n note · j/k next/previous · u next not labelled · Esc leave";
      status.textContent = `${keys}${who ? ` · labelling as ${who}` : ""}`;
    }
    lbar.classList.toggle("orw-keys-on", root.contains(document.activeElement));
  }

  function currentId() {
    return selectedNow !== null ? selectedNow : model.get("selected");
  }

  function say(text, error) {
    status.textContent = text;
    status.classList.toggle("orw-label-error", !!error);
  }

  function toggle(id, label) {
    model.send({ kind: "toggle", id, label });
  }

  function move(how) {
    const rows = visibleRows();
    if (!rows.length) return;
    const id = currentId();
    const at = rows.findIndex((r) => r.id === id);
    let next;
    if (how === "next") next = at >= 0 ? Math.min(at + 1, rows.length - 1) : Math.min(position, rows.length - 1);
    else if (how === "prev") next = at >= 0 ? Math.max(at - 1, 0) : Math.max(Math.min(position, rows.length) - 1, 0);
    else {
      const from = at >= 0 ? at + 1 : position;
      next = rows.findIndex((r, i) => i >= from && !(r.labels || []).length);
      if (next < 0) { say("no row below is without a label"); return; }
    }
    if (next >= limit) limit = Math.ceil((next + 1) / STEP) * STEP;
    select(rows[next].id, 250);
    const tr = tbody.querySelector(`tr[data-id="${CSS.escape(rows[next].id)}"]`);
    if (tr) { // keep it in view inside the table's own scroller (below its sticky header), never moving the page
      const head = thead.offsetHeight || 0;
      if (tr.offsetTop - head < scroller.scrollTop) scroller.scrollTop = tr.offsetTop - head;
      else if (tr.offsetTop + tr.offsetHeight > scroller.scrollTop + scroller.clientHeight) {
        scroller.scrollTop = tr.offsetTop + tr.offsetHeight - scroller.clientHeight;
      }
    }
  }

  function openNote() {
    const id = currentId();
    const row = model.get("rows").find((r) => r.id === id);
    if (!row) { say("select a row first (click it, or press j)"); return; }
    noteFor = id;
    noteBox.value = row.my_note || "";
    noteBox.hidden = false;
    noteBox.focus();
  }

  function closeBox(box) {
    box.hidden = true;
    root.focus({ preventScroll: true });
  }

  noteBox.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") { model.send({ kind: "note", id: noteFor, text: noteBox.value }); closeBox(noteBox); }
    else if (e.key === "Escape") closeBox(noteBox);
  });
  setBox.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") {
      const labels = setBox.value.split(",").map((l) => l.trim()).filter(Boolean);
      model.send({ kind: "label_set", labels });
      closeBox(setBox);
    } else if (e.key === "Escape") closeBox(setBox);
  });
  editSet.addEventListener("click", () => {
    setBox.value = (model.get("label_set") || []).join(", ");
    setBox.hidden = false;
    setBox.focus();
  });
  labelFilter.addEventListener("change", () => {
    const v = labelFilter.value;
    model.set("label_filter", v === "\u0000unlabelled" ? { unlabelled: true } : v ? { label: v } : {});
    model.save_changes();
    limit = STEP;
    draw();
  });
  root.addEventListener("focusin", () => drawLabelling());
  root.addEventListener("focusout", () => setTimeout(drawLabelling, 0));
  root.addEventListener("keydown", (e) => {
    if (!model.get("labelling") || e.target !== root) return; // typing in the filter or a note box
    const key = keyOf(e);
    if (!key) return;
    e.preventDefault();
    e.stopPropagation();
    if (key === "leave") { root.blur(); return; }
    if (key === "note") { openNote(); return; }
    if (key === "next" || key === "prev" || key === "unlabelled") { move(key); return; }
    const label = (model.get("label_set") || [])[Number(key) - 1];
    const id = currentId();
    if (!label) say(`no label on ${key}: edit labels to add one`);
    else if (!id) say("select a row first (click it, or press j)");
    else toggle(id, label);
  });
  const onMsg = (msg) => {
    if (msg.kind === "marks") {
      const row = model.get("rows").find((r) => r.id === msg.id);
      if (row) Object.assign(row, { labels: msg.labels, note: msg.note, my_note: msg.my_note });
      say("");
      draw();
    } else if (msg.kind === "error") {
      say(msg.message, true);
    }
  };
  model.on("msg:custom", onMsg);

  let timer = null;
  filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = filter.value.trim().toLowerCase(); limit = STEP; draw(); }, 120);
  });
  more.addEventListener("click", () => { limit += STEP; draw(); });
  function setFilter(f) {
    model.set("filter", f);
    model.save_changes();
    limit = STEP;
    draw();
  }
  chip.addEventListener("click", () => setFilter({}));
  let rangeTimer = null;
  const onRange = () => {
    clearTimeout(rangeTimer);
    rangeTimer = setTimeout(() => {
      const rc = rangeColumn();
      const a = numberOrNull(lo.value), b = numberOrNull(hi.value);
      if (a === null && b === null) setFilter({});
      else setFilter({ key: rc.key, lo: a, hi: b, closed: true, label: `${rc.label} ${a ?? "…"} to ${b ?? "…"}` });
    }, 250);
  };
  lo.addEventListener("input", onRange);
  hi.addEventListener("input", onRange);
  const redraw = () => draw();
  const events = [
    "change:rows", "change:columns", "change:selected", "change:caption", "change:filter", "change:range_key",
    "change:label_set", "change:label_filter", "change:labelling",
  ];
  for (const ev of events) model.on(ev, redraw);
  draw();
  return () => {
    for (const ev of events) model.off(ev, redraw);
    model.off("msg:custom", onMsg);
    clearTimeout(selectTimer);
  };
}

export default { render };
