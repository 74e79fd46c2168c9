// kbgen's search box in the header of every page (kbgen.site.searchbox writes it).
// On the first focus it loads the engine (kbgen-search-engine.js) and the
// index's manifest; a query then downloads the shards of its own words and
// the texts of the results shown (kbgen.search.browser describes the files).
// A classic script (not a module), so that file:// pages run it too.
(function () {
  "use strict";
  const box = document.querySelector(".kbgen-search");
  if (!box) return;
  const ENGINE = new URL("kbgen-search-engine.js", document.currentScript.src).href;
  const input = box.querySelector(".kbgen-search__input");
  const panel = box.querySelector(".kbgen-search__panel");
  const meta = box.querySelector(".kbgen-search__meta");
  const list = box.querySelector(".kbgen-search__results");
  const selects = [...box.querySelectorAll(".kbgen-search__filter")];
  const root = new URL(box.dataset.root || "./", document.baseURI);
  const SHOWN = 10; // results, as `kbgen search` gives by default
  const FIRST = 3;  // drawn as soon as their texts arrive, then the rest
  let running = false; // a search is under way...
  let again = false;   // ...and the query changed meanwhile

  let engine = null, index = null;

  // the engine's script, then the index's manifest: once, on the first focus or keystroke
  const load = () => engine ??= new Promise((resolve, reject) => {
    if (window.kbgenSearch) return resolve(window.kbgenSearch);
    const el = document.createElement("script");
    el.src = ENGINE;
    el.onload = () => resolve(window.kbgenSearch);
    el.onerror = () => reject(new Error("the search engine did not load"));
    document.head.append(el);
  }).then((api) => {
    index = new api.Index(new URL(box.dataset.index, document.baseURI), box.dataset.format === "js");
    return index.open();
  }).then(() => { box.dataset.ready = ""; return window.kbgenSearch; });

  // The one place where a search's query and its number of results are known
  // (issue 25: a site with analytics reports the searches that found nothing).
  function searched(query, count, suggestion) {
    box.dataset.results = String(count);
    box.dispatchEvent(new CustomEvent("kbgen-search", { detail: { query, count, suggestion } }));
  }

  function item(api, frag, doc, q) {
    const li = document.createElement("li");
    li.className = "kbgen-search__result";
    li.dataset.id = frag.id;
    const a = document.createElement("a");
    a.href = new URL(frag.url, root).href;
    const head = document.createElement("span");
    head.className = "kbgen-search__head";
    const title = document.createElement("span");
    title.className = "kbgen-search__title";
    title.textContent = frag.title;
    const type = document.createElement("span");
    type.className = "kbgen-search__type";
    type.textContent = index.manifest.types[index.manifest.docs.type[doc]].label;
    head.append(title, type);
    a.append(head);
    if (frag.page) {
      const page = document.createElement("span");
      page.className = "kbgen-search__page";
      page.textContent = frag.page;
      a.append(page);
    }
    const text = document.createElement("span");
    text.className = "kbgen-search__excerpt";
    for (const [piece, marked] of api.excerpt(frag, q)) {
      if (!marked) { text.append(piece); continue; }
      const mark = document.createElement("mark");
      mark.textContent = piece;
      text.append(mark);
    }
    a.append(text);
    li.append(a);
    return li;
  }

  function suggestionLine(suggestion) {
    const p = document.createElement("p");
    p.className = "kbgen-search__suggestion";
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = suggestion;
    b.addEventListener("click", () => { input.value = suggestion; input.focus(); run(); });
    p.append("Did you mean ", b, "? Its results are included.");
    return p;
  }

  // No fixed debounce: a query runs at once when no search is under way; keystrokes
  // that come meanwhile are one search, of the latest query, when it ends.
  async function run() {
    if (running) { again = true; return; }
    running = true;
    try {
      do { again = false; await runOnce(); } while (again);
    } catch (err) {
      meta.textContent = "Search is not available: " + err.message;
      throw err;
    } finally {
      running = false;
    }
  }

  async function runOnce() {
    const query = input.value.trim();
    panel.hidden = false;
    box.querySelector(".kbgen-search__suggestion")?.remove();
    if (!query) {
      list.replaceChildren();
      meta.textContent = "Type to search";
      return;
    }
    const api = await load();
    const filters = {};
    for (const s of selects) if (s.value) filters[s.dataset.filter] = s.value;
    const result = await api.search(index, query, filters, SHOWN);
    if (again) return; // a newer keystroke took over: no fragments for this one
    const n = result.results.length;
    searched(query, n, result.suggestion);
    const frags = result.results.map((h) => index.file("d/" + h.doc));
    // the first results as soon as their texts arrive, then the rest
    const first = await Promise.all(frags.slice(0, FIRST));
    if (again) return;
    list.replaceChildren(...first.map((f, i) => item(api, f, result.results[i].doc, result.shown)));
    meta.textContent = n ? `${n}${n === SHOWN ? "+" : ""} result${n === 1 ? "" : "s"}` : "No results";
    if (result.suggestion) meta.after(suggestionLine(result.suggestion));
    box.dataset.shown = query;
    const rest = await Promise.all(frags.slice(FIRST));
    if (again) return;
    list.append(...rest.map((f, i) => item(api, f, result.results[FIRST + i].doc, result.shown)));
    box.dataset.query = query; // tests wait for the results of the whole query
  }

  input.addEventListener("focus", () => { load().catch(() => null); panel.hidden = !input.value.trim(); });
  input.addEventListener("input", () => { run().catch(() => null); });
  for (const s of selects) s.addEventListener("change", () => { run().catch(() => null); });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const first = list.querySelector("a");
      if (first) location.href = first.href;
    } else if (ev.key === "ArrowDown") {
      list.querySelector("a")?.focus();
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      panel.hidden = true;
      input.blur();
    }
  });
  list.addEventListener("keydown", (ev) => {
    const links = [...list.querySelectorAll("a")];
    const i = links.indexOf(document.activeElement);
    if (ev.key === "ArrowDown" && i < links.length - 1) links[i + 1].focus();
    else if (ev.key === "ArrowUp") (i > 0 ? links[i - 1] : input).focus();
    else if (ev.key === "Escape") { input.focus(); panel.hidden = true; }
    else return;
    ev.preventDefault();
  });
  document.addEventListener("click", (ev) => { if (!box.contains(ev.target)) panel.hidden = true; });
  // "/" or "s" focus the box, as they open Material's search
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    if (ev.key === "/" || ev.key === "s") { ev.preventDefault(); input.focus(); }
  });
})();
