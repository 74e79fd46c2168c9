// kbgen's search box in Material's header, on Pagefind's JS API (written by
// kbgen.pagefind into every page). Pagefind is imported on the first focus or
// keystroke, so a page view downloads nothing of the index; a query then loads
// only the index chunks for its words and the fragments of the results shown.
// On focus, one small warm-up query (a word kbgen picked at build time, in a
// chunk of a few KB) makes the browser compile Pagefind's search code before
// the reader's first query: that query is then as fast as the ones after it.
const box = document.querySelector(".kbgen-search");
if (box) {
  const input = box.querySelector(".kbgen-search__input");
  const panel = box.querySelector(".kbgen-search__panel");
  const meta = box.querySelector(".kbgen-search__meta");
  const list = box.querySelector(".kbgen-search__results");
  const selects = [...box.querySelectorAll(".kbgen-search__filter")];
  const bundle = new URL(box.dataset.bundle, document.baseURI);
  const SHOWN = 10;
  const FIRST = 3;
  let pagefind = null;
  let seq = 0;
  let running = false; // a search is under way...
  let again = false; // ...and the query changed meanwhile

  // kbgen's warm-up word for the page's language (chosen as Pagefind chooses its index)
  function warmWord(entry) {
    const langs = (entry && entry.languages) || {};
    const lang = (document.documentElement.lang || "unknown").toLowerCase();
    const index = langs[lang] || langs[lang.split("-")[0]]
      || Object.values(langs).sort((a, b) => b.page_count - a.page_count)[0];
    return index && index.kbgen_warm;
  }

  // Site-relative, so a site published under a sub-path (/kb/) still links right.
  const load = () => pagefind ??= Promise.all([
    import(new URL("pagefind.js", bundle).href),
    fetch(new URL("pagefind-entry.json", bundle)).then((r) => r.json()).catch(() => null),
  ]).then(async ([pf, entry]) => {
    // Pagefind's web worker (41 KB more) only on big sites (data-worker), where a query for a
    // frequent word takes a few hundred ms: in the page, it would hold up the keystrokes meanwhile
    await pf.options({ baseUrl: new URL("../", bundle).pathname, excerptLength: 24, noWorker: !("worker" in box.dataset) });
    pf.init();
    const warm = warmWord(entry);
    if (warm) await pf.search(warm).catch(() => null);
    box.dataset.warm = ""; // warmed up (tests wait for this state)
    return pf;
  });

  const fold = (s) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

  // The section of the page the query names (an error code's heading), else the page.
  function target(data, query) {
    const q = fold(query);
    const sub = (data.sub_results || []).find((s) => q && fold(s.title) === q)
      || (data.sub_results || []).find((s) => q && fold(s.title).startsWith(q));
    return sub && sub.url !== data.url ? sub : null;
  }

  function item(data, query) {
    const sub = target(data, query);
    const li = document.createElement("li");
    li.className = "kbgen-search__result";
    const a = document.createElement("a");
    a.href = sub ? sub.url : data.url;
    const title = document.createElement("span");
    title.className = "kbgen-search__title";
    title.textContent = data.meta.title || data.url;
    a.append(title);
    if (sub) {
      const section = document.createElement("span");
      section.className = "kbgen-search__section";
      section.textContent = sub.title;
      a.append(section);
    }
    if (data.meta.type) {
      const type = document.createElement("span");
      type.className = "kbgen-search__type";
      type.textContent = data.meta.type;
      a.append(type);
    }
    const excerpt = document.createElement("span");
    excerpt.className = "kbgen-search__excerpt";
    excerpt.innerHTML = (sub || data).excerpt; // Pagefind escapes the text and adds <mark>
    a.append(excerpt);
    li.append(a);
    return li;
  }

  // No fixed debounce: a query runs at once when no search is under way; keystrokes
  // that come meanwhile are one search, of the latest query, when it ends.
  async function run() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await runOnce();
      } while (again);
    } finally {
      running = false;
    }
  }

  async function runOnce() {
    const query = input.value.trim();
    const mine = ++seq;
    panel.hidden = false;
    if (!query) {
      list.replaceChildren();
      meta.textContent = "Type to search";
      return;
    }
    const pf = await load();
    const filters = {};
    for (const s of selects) if (s.value) filters[s.dataset.filter] = s.value;
    const search = await pf.search(query, { filters });
    if (again || mine !== seq) return; // a newer keystroke took over: no fragments for this one
    const n = search.results.length;
    // the first results as soon as their fragments arrive, then the rest
    const first = await Promise.all(search.results.slice(0, FIRST).map((r) => r.data()));
    if (again || mine !== seq) return;
    list.replaceChildren(...first.map((d) => item(d, query)));
    meta.textContent = n ? `${n} result${n === 1 ? "" : "s"}` : "No results";
    box.dataset.shown = query;
    const rest = await Promise.all(search.results.slice(FIRST, SHOWN).map((r) => r.data()));
    if (again || mine !== seq) return;
    list.append(...rest.map((d) => item(d, query)));
    box.dataset.query = query; // tests wait for the results of the whole query
  }

  input.addEventListener("focus", () => { load(); panel.hidden = !input.value.trim(); });
  input.addEventListener("input", run);
  for (const s of selects) s.addEventListener("change", run);
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
}
