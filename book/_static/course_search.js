/* Search result snippets that work from disk (file://) as well as from a server; added to the search page
   only, by book/_ext/offline_search.py, which also writes each page's text to _static/search-text/<page>.js. */
(() => {
  "use strict";
  const texts = {};     // page -> {text, sections}
  const waiting = {};   // page -> callbacks waiting for its text
  window.CourseSearch = {
    add: (page, data) => {
      texts[page] = data;
      (waiting[page] || []).forEach((done) => done(data));
      delete waiting[page];
    },
  };

  const load = (page, done) => {
    if (texts[page]) return done(texts[page]);
    if (waiting[page]) return waiting[page].push(done);
    waiting[page] = [done];
    const script = document.createElement("script");
    script.src = (document.documentElement.dataset.content_root || "") + "_static/search-text/" + page + ".js";
    document.head.appendChild(script);
  };

  // The words of the query, and their stems (Sphinx's index and summaries match stems).
  const queryTerms = () => {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const words = query.toLowerCase().split(/[^\p{Letter}\p{Number}_]+/u).filter((w) => w.length > 1);
    const stemmer = typeof Stemmer === "function" ? new Stemmer() : null;
    const stems = stemmer ? words.map((w) => stemmer.stemWord(w)) : [];
    return { words, terms: [...new Set([...words, ...stems])] };
  };

  const SPAN = 240;   // characters of context, as Sphinx's own summaries
  const summary = (text, terms) => {
    const lower = text.toLowerCase();
    const hits = terms.map((t) => lower.indexOf(t)).filter((i) => i > -1);
    const first = hits.length ? Math.min(...hits) : 0;
    const start = Math.max(first - SPAN / 2, 0);
    const p = document.createElement("p");
    p.classList.add("context");
    p.textContent = (start > 0 ? "..." : "") + text.substr(start, SPAN).trim() + (start + SPAN < text.length ? "..." : "");
    return p;
  };

  const addSnippet = (item) => {
    const link = item.querySelector("a");
    // Sphinx shows a described object (a Python function...) with its description instead of an excerpt.
    if (!link || item.dataset.courseExcerpt || item.querySelector(":scope > span")) return;
    item.dataset.courseExcerpt = "1";   // one excerpt, however many mutation records name this item
    const href = link.getAttribute("href") || "";
    const [path, anchor] = href.split("#");
    const suffix = (window.DOCUMENTATION_OPTIONS || {}).LINK_SUFFIX || ".html";
    const page = path.endsWith(suffix) ? path.slice(0, -suffix.length) : path;
    const { words, terms } = queryTerms();
    load(page, (data) => {
      const span = anchor ? data.sections["#" + anchor] : null;
      const text = span ? data.text.slice(span[0], span[1]) : data.text;
      if (!text) return;
      item.appendChild(summary(text, terms));
      if (typeof _highlightText === "function")        // sphinx_highlight.js
        words.forEach((w) => _highlightText(item, w, "highlighted"));
    });
  };

  const watch = () => {
    const results = document.getElementById("search-results");
    if (!results) return;
    new MutationObserver((changes) => changes.forEach((change) => change.addedNodes.forEach((node) => {
      if (node.nodeName === "LI") addSnippet(node);
      else if (node.querySelectorAll) node.querySelectorAll("li").forEach(addSnippet);
    }))).observe(results, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
