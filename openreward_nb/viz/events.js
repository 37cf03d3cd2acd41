// What the timeline (timeline.js) and the step diff (diff.js) draw alike: the helpers, the kernel
// round trip, one event as a card (Cards) and the view both are built on (EventView).
// Not a module of its own: openreward_nb/viz/assets.py joins it before each of those views' modules,
// which use what it declares here.
// Safety rule: every string a model or tool wrote reaches the DOM through textContent.
// The one exception is `md` / `smd`: HTML made in the kernel by markdown-it with raw HTML off and
// an allow-list of link schemes (openreward_nb/viz/render.py); the browser test proves it inert.
// How each event kind looks (label, colours, icon) arrives as data in the `looks` trait
// (openreward_nb/viz/presentation.py); what an attachment is arrives as the kernel's verdict.

const SVG = "http://www.w3.org/2000/svg";
const DOWNLOAD_MIME = "application/octet-stream";

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}
const num = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
const rew = (r) => (r === null || r === undefined ? "–" : (Math.round(r * 1e4) / 1e4).toString());
function bytes(n) {
  if (!n && n !== 0) return "";
  const u = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < 3) { n /= 1024; i += 1; }
  return i ? `${n.toFixed(1)} ${u[i]}` : `${n} B`;
}
function duration(s) {
  if (s === null || s === undefined) return "–";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

// labels people gave a rollout or a step (annotations), as chips of plain text
function chips(labels) {
  const box = el("span", "orw-chips");
  for (const label of labels || []) box.append(el("span", "orw-chip", label));
  return box;
}

// a rollout's title (name, status, id), its facts as `key value` pairs (empty ones left out) and its
// stats as value-over-key cells: the heads of the timeline and of each side of the diff
function rolloutTitle(h, status) {
  const title = el("div", "orw-title");
  title.append(el("span", "orw-name-main", h.rollout || h.id || "rollout"));
  title.append(el("span", `orw-status orw-status-${h.status}`, status));
  const id = el("span", "orw-id", h.id);
  id.title = "rollout id";
  title.append(id);
  return title;
}
function rolloutFacts(pairs) {
  const sub = el("div", "orw-sub");
  for (const [k, v] of pairs) {
    if (!v) continue;
    const part = el("span", "orw-kv");
    part.append(el("span", "orw-k", k), el("span", "orw-v", v));
    sub.append(part);
  }
  return sub;
}
function rolloutStats(cells) {
  const stats = el("div", "orw-stats");
  for (const [k, v] of cells) {
    const c = el("div", "orw-stat");
    c.append(el("div", "orw-stat-v", v), el("div", "orw-stat-k", k));
    stats.append(c);
  }
  return stats;
}

// A reward chart's frame: an SVG as wide as `box` (`height` tall, `pad` inside), x over steps 0..n-1,
// y over lo..hi (which hold 0), the zero axis and the hi and lo ticks. What is drawn in it is each view's.
function rewardFrame(box, height, pad, n, lo, hi) {
  const W = Math.max(240, box.clientWidth || 600), H = height, P = pad, L = 44;
  const total = Math.max(1, (n || 1) - 1);
  if (hi === lo) hi = lo + 1;
  const x = (i) => L + (i / total) * (W - L - P);
  const y = (v) => P + (1 - (v - lo) / (hi - lo)) * (H - 2 * P);
  const g = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, class: "orw-svg" });
  g.append(svg("line", { x1: L, x2: W - P, y1: y(0), y2: y(0), class: "orw-axis" }));
  for (const [v, label] of [[hi, rew(hi)], [lo, rew(lo)]]) {
    const t = svg("text", { x: L - 6, y: y(v) + 4, class: "orw-tick", "text-anchor": "end" });
    t.textContent = label;
    g.append(t);
  }
  return { g, x, y };
}
// the cumulative reward as steps: flat to each point's index, then up or down to its sum
function cumulativePath(pts, x, y) {
  let path = `M ${x(0)} ${y(0)}`;
  for (const [i, , c] of pts) path += ` H ${x(i)} V ${y(c)}`;
  return path;
}

// the entry a jump went to, flashed (the animation restarted when it is already running)
function flash(node) {
  node.classList.remove("orw-flash");
  void node.offsetWidth;
  node.classList.add("orw-flash");
}

// The round trip to the kernel: a request carries a number its answer brings back. Messages that
// answer no request (the timeline's live "append") go to `pushes[kind]`.
class Kernel {
  constructor(model, pushes = {}) {
    this.model = model;
    this.pushes = pushes;
    this.reqs = new Map();
    this.seq = 0;
    this.onMsg = (msg, buffers) => this.receive(msg, buffers);
    model.on("msg:custom", this.onMsg);
  }
  request(msg) {
    const req = ++this.seq;
    return new Promise((resolve, reject) => {
      this.reqs.set(req, { resolve, reject });
      this.model.send({ ...msg, req });
    });
  }
  receive(msg, buffers) {
    const push = this.pushes[msg.kind];
    if (push) return push(msg);
    const pending = this.reqs.get(msg.req);
    if (!pending) return;
    this.reqs.delete(msg.req);
    if (msg.kind === "error") pending.reject(new Error(msg.message));
    else pending.resolve({ msg, buffers });
  }
  close() {
    this.model.off("msg:custom", this.onMsg);
  }
}

// One event as a card: head, body, attachments. `view` is the view drawing it, read when needed:
// its `looks`, `kernel`, `list` (the scrolling box thumbnails load in view of), `root` and `note(err)`.
// What the two views do differently is said by the options here and by `card`'s:
//   rest(ev): where the text a "show all" still leaves out can be read ("" for nowhere to say);
//   expanded(box): after "show all" put the whole text in (the timeline marks its search there).
class Cards {
  constructor(view, { rest = () => "", expanded = () => {} } = {}) {
    this.view = view;
    this.rest = rest;
    this.expanded = expanded;
    this.blobUrls = new Map();
    this.thumbs = new WeakMap(); // a waiting thumbnail -> its request
    this.observer = null;
  }

  destroy() {
    for (const url of this.blobUrls.values()) URL.revokeObjectURL(url);
    if (this.observer) this.observer.disconnect();
  }

  label(t) { return (this.view.looks[t] && this.view.looks[t].label) || t; }

  // an element's colour: its kind's, for the page's light or dark scheme (--orw-c, read by the CSS)
  tint(node, t) {
    const look = this.view.looks[t];
    if (look) node.style.setProperty("--orw-c", `light-dark(${look.light}, ${look.dark})`);
  }

  // `where`: what addresses the event in requests and data attributes besides its index (the diff's
  // side); `idx`: the head's index text; `facts`: tokens, latency, labels, the call link slot and the
  // details toggle (the timeline's); `body`: draws the body instead of `body` (the diff's marks).
  card(ev, { where = {}, idx = `#${ev.i}`, facts = false, body = null } = {}) {
    const node = el("div", `orw-ev orw-t-${ev.t}`);
    this.tint(node, ev.t);
    node.dataset.i = ev.i;
    Object.assign(node.dataset, where);
    const head = el("div", "orw-head");
    const look = this.view.looks[ev.t];
    head.append(el("span", "orw-idx", idx));
    if (look) head.append(el("span", "orw-icon", look.icon));
    head.append(el("span", "orw-type", this.label(ev.t)));
    if (ev.k) head.append(el("span", "orw-kind", ev.k));
    if (ev.nm) head.append(el("span", "orw-tool", ev.nm));
    if (facts && ev.cid) head.append(el("span", "orw-join"));
    if (ev.r !== undefined) head.append(el("span", `orw-badge orw-reward orw-${ev.rt}`, `reward ${ev.r > 0 ? "+" : ""}${rew(ev.r)}`));
    if (ev.f) head.append(el("span", "orw-badge orw-finished", "finished"));
    if (ev.e) head.append(el("span", "orw-badge orw-error-badge", "error"));
    node.append(head, body ? body(ev) : this.body(ev, where));
    if (ev.att) node.append(this.attachments(ev, where));
    if (facts) this.addFacts(ev, node, head);
    return node;
  }

  addFacts(ev, node, head) {
    if (ev.lb) head.append(chips(ev.lb));
    head.append(el("span", "orw-spacer"));
    if (ev.u) head.append(el("span", "orw-dim", `${num((ev.u.input_tokens || 0) + (ev.u.output_tokens || 0))} tok`));
    if (ev.lat !== undefined) head.append(el("span", "orw-dim", duration(ev.lat / 1000)));
    const more = el("button", "orw-toggle", "details");
    head.append(more);
    let details = null;
    more.addEventListener("click", () => {
      if (!details) { details = this.details(ev); node.append(details); } else details.hidden = !details.hidden;
      more.classList.toggle("orw-on", !details.hidden);
    });
  }

  // The body as the kernel resolved it (`b`): folded reasoning, markdown, JSON or text.
  body(ev, where = {}) {
    const body = el("div", "orw-body");
    const text = ev.text ? el("pre", ev.b === "json" ? "orw-text orw-json" : "orw-text", ev.text) : null;
    if (ev.b === "folded") {
      const d = el("details", "orw-reasoning");
      d.append(el("summary", null, ev.ti));
      if (ev.smd !== undefined) {
        const md = el("div", "orw-md orw-summary");
        md.innerHTML = ev.smd; // markdown-it output, raw HTML off (see the header comment)
        d.append(md);
      }
      if (text) d.append(text);
      if (ev.ref) d.append(el("div", "orw-dim", `encrypted reasoning, ${num(ev.ref)} characters`));
      if (ev.n > ev.text.length) d.append(this.clipNote(ev, where, d, ev.text.length, ev.n));
      body.append(d);
      return body;
    }
    if (ev.md !== undefined) {
      const md = el("div", "orw-md");
      md.innerHTML = ev.md; // markdown-it output, raw HTML off (see the header comment)
      body.append(md);
    } else if (text) {
      body.append(text);
    } else if (!ev.att) {
      body.append(el("div", "orw-dim", "(empty)"));
    }
    if (ev.n > ev.text.length) body.append(this.clipNote(ev, where, body, ev.text.length, ev.n));
    return body;
  }

  // "show all": the whole text from the kernel replaces the clipped one (markdown and marks shown as its text)
  clipNote(ev, where, box, shown, n) {
    const note = el("div", "orw-clip");
    note.append(el("span", null, `showing ${num(shown)} of ${num(n)} characters `));
    const btn = el("button", "orw-btn orw-expand", "show all");
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        const { msg } = await this.view.kernel.request({ kind: "text", ...where, i: ev.i });
        const pre = el("pre", ev.b === "json" ? "orw-text orw-json" : "orw-text", msg.text);
        const old = box.querySelector(":scope > .orw-md:not(.orw-summary), :scope > pre.orw-text");
        if (old) old.replaceWith(pre); else note.before(pre);
        if (msg.n > msg.text.length) note.replaceWith(el("div", "orw-clip", `showing ${num(msg.text.length)} of ${num(msg.n)} characters${this.rest(ev)}`));
        else note.remove();
        this.expanded(box);
      } catch (e) { btn.disabled = false; this.view.note(e); }
    });
    note.append(btn);
    return note;
  }

  // Attachments as the kernel judged them from their bytes: only raster images are shown;
  // files are offered as downloads of application/octet-stream, never opened in the page.
  attachments(ev, where = {}) {
    const box = el("div", "orw-atts");
    ev.att.forEach((a, k) => {
      const size = a.size !== undefined ? ` ${bytes(a.size)}` : "";
      if (a.v === "image" && a.url) {
        const img = el("img", "orw-thumb");
        img.referrerPolicy = "no-referrer";
        img.alt = a.label;
        img.src = a.url;
        img.addEventListener("click", () => img.classList.toggle("orw-big"));
        box.append(img);
      } else if (a.v === "image") {
        const slot = el("div", "orw-thumb orw-thumb-wait", `${a.label}${size}`);
        Object.assign(slot.dataset, { i: ev.i, k, ...where });
        box.append(slot);
        this.watch(slot, { kind: "attachment", ...where, i: ev.i, k });
      } else if (a.v === "file") {
        const b = el("button", "orw-btn orw-download", `download ${a.name}${size}`);
        b.title = `${a.label} (saved as a file, never opened here)`;
        b.addEventListener("click", () => this.download({ kind: "attachment", ...where, i: ev.i, k }, b));
        box.append(b);
      } else if (a.v === "link") {
        const link = el("a", "orw-file", `${a.label}: ${a.url}`);
        link.href = a.url; // http(s) only: checked in the kernel
        link.target = "_blank";
        link.rel = "noopener noreferrer nofollow";
        box.append(link);
      } else {
        box.append(el("span", "orw-file", `attachment: ${a.label}${size}`));
      }
    });
    return box;
  }

  // a thumbnail's bytes are asked for when its slot scrolls near the view
  watch(slot, ask) {
    if (!this.observer) {
      this.observer = new IntersectionObserver((seen) => {
        for (const s of seen) if (s.isIntersecting) this.loadThumb(s.target);
      }, { root: this.view.list, rootMargin: "200px" });
    }
    this.thumbs.set(slot, ask);
    this.observer.observe(slot);
  }

  async loadThumb(slot) {
    this.observer.unobserve(slot);
    const ask = this.thumbs.get(slot);
    const key = JSON.stringify(ask);
    try {
      let url = this.blobUrls.get(key);
      if (!url) {
        const { msg, buffers } = await this.view.kernel.request(ask);
        if (msg.v !== "image" || !buffers || !buffers.length) { slot.textContent = "image not available"; return; }
        url = URL.createObjectURL(new Blob([buffers[0]], { type: msg.mime }));
        this.blobUrls.set(key, url);
      }
      const img = el("img", "orw-thumb");
      img.alt = slot.textContent;
      img.src = url;
      img.addEventListener("click", () => img.classList.toggle("orw-big"));
      slot.replaceWith(img);
    } catch (e) { slot.textContent = "image failed to load"; }
  }

  async download(ask, button) {
    button.disabled = true;
    try {
      const { msg, buffers } = await this.view.kernel.request(ask);
      if (!buffers || !buffers.length) { button.textContent = "not available"; return; }
      const url = URL.createObjectURL(new Blob([buffers[0]], { type: DOWNLOAD_MIME }));
      const a = el("a");
      a.href = url;
      a.download = msg.name || "attachment";
      a.rel = "noopener";
      a.hidden = true;
      this.view.root.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) { this.view.note(e); } finally { button.disabled = false; }
  }

  details(ev) {
    const d = el("div", "orw-details");
    const rows = [
      ["time", new Date(ev.ts * 1000).toISOString().replace("T", " ").replace("Z", " UTC")],
      ["turn", ev.turn], ["kind", ev.k], ["call id", ev.cid], ["model", ev.m], ["stop reason", ev.sr],
      ["latency", ev.lat !== undefined ? `${num(Math.round(ev.lat))} ms` : undefined],
    ];
    if (ev.u) for (const [k, v] of Object.entries(ev.u)) rows.push([k.replace(/_/g, " "), num(v)]);
    const dl = el("dl");
    for (const [k, v] of rows) {
      if (v === undefined || v === null) continue;
      dl.append(el("dt", null, k), el("dd", null, v));
    }
    d.append(dl);
    if (ev.meta) d.append(el("div", "orw-k", "metadata"), el("pre", "orw-text", ev.meta));
    return d;
  }
}

// What both views are built on: the model and the element drawn in, the kernel, the event cards
// (options as Cards takes them), the chart redrawn when its box changes width, the teardown and
// the footer's word when the kernel did not answer. Each view adds its layout and its logic.
class EventView {
  constructor(model, root, { pushes = {}, cards = {} } = {}) {
    this.model = model;
    this.root = root;
    this.looks = model.get("looks") || {};
    this.kernel = new Kernel(model, pushes);
    this.cards = new Cards(this, cards);
  }

  // The list both views page into (`list`, `items` and the footer under it): "load earlier" and
  // "load more" buttons around the items call loadEarlier() / loadLater(), and so does a button
  // coming near the visible part of the list (the earlier one only where `earlierOnScroll`: the diff
  // opens mid-way and does not page upward as it is scrolled).
  buildList(earlierText, earlierOnScroll) {
    this.list = el("div", "orw-list");
    this.topSentinel = el("button", "orw-btn orw-more-top", earlierText);
    this.items = el("div", "orw-items");
    this.botSentinel = el("button", "orw-btn orw-more-bot", "load more");
    this.list.append(this.topSentinel, this.items, this.botSentinel);
    this.footer = el("div", "orw-footer");
    this.topSentinel.addEventListener("click", () => this.loadEarlier());
    this.botSentinel.addEventListener("click", () => this.loadLater());
    this.observer = new IntersectionObserver((seen) => {
      for (const s of seen) {
        if (!s.isIntersecting) continue;
        if (s.target === this.botSentinel) this.loadLater();
        else if (s.target === this.topSentinel) this.loadEarlier();
      }
    }, { root: this.list, rootMargin: "200px" });
    if (earlierOnScroll) this.observer.observe(this.topSentinel);
    this.observer.observe(this.botSentinel);
  }

  // one page load at a time; a failure is said in the footer, redrawn either way
  async loadingPage(load) {
    if (this.busy) return;
    this.busy = true;
    try { await load(); } catch (e) { this.note(e); } finally { this.busy = false; this.drawFooter(); }
  }

  // the chart box (`chartEl`) redrawn by drawChart() when its size changes
  redrawChartOnResize() {
    this.resize = new ResizeObserver(() => this.drawChart());
    this.resize.observe(this.chartEl);
  }

  destroy() {
    this.kernel.close();
    this.cards.destroy();
    if (this.observer) this.observer.disconnect();
    if (this.resize) this.resize.disconnect();
  }

  note(err) {
    this.footer.textContent = `could not reach the kernel: ${err.message || err}`;
  }
}

// the anywidget module of a view class: a view a rendering, destroyed with it
function widget(View) {
  return {
    render({ model, el }) {
      const view = new View(model, el);
      return () => view.destroy();
    },
  };
}
