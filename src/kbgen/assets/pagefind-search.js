// kbgen's search box in Material's header, on Pagefind's JS API (written by
// kbgen.pagefind into every page). Pagefind is imported on the first focus or
// keystroke, so a page view downloads nothing of the index; a query then loads
// only the index chunks for its words and the fragments of the results shown.
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

  // Site-relative, so a site published under a sub-path (/kb/) still links right.
  const load = () => pagefind ??= import(new URL("pagefind.js", bundle).href).then(async (pf) => {
    // noWorker: the worker script is 41 KB more per reader, for searches that take milliseconds
    await pf.options({ baseUrl: new URL("../", bundle).pathname, excerptLength: 24, noWorker: true });
    pf.init();
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

  async function run() {
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
    pf.preload(query, { filters }); // fetch the word's index chunk while the debounce waits
    const search = await pf.debouncedSearch(query, { filters }, 60); // ms: a pause between keystrokes
    if (search === null || mine !== seq) return; // a newer keystroke took over
    const n = search.results.length;
    // the first results as soon as their fragments arrive, then the rest
    const first = await Promise.all(search.results.slice(0, FIRST).map((r) => r.data()));
    if (mine !== seq) return;
    list.replaceChildren(...first.map((d) => item(d, query)));
    meta.textContent = n ? `${n} result${n === 1 ? "" : "s"}` : "No results";
    box.dataset.shown = query;
    const rest = await Promise.all(search.results.slice(FIRST, SHOWN).map((r) => r.data()));
    if (mine !== seq) return;
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
