/* The evidence explorer (output/report/explorer.html), inlined into the page by synthesis.report.explorer_page.
   It reads the review's data from the page's JSON block and builds everything with DOM methods: every value
   from the review is set as text (textContent, text nodes, attribute values), never parsed as HTML. */
(function () {
  "use strict";

  var D = JSON.parse(document.getElementById("explorer-data").textContent);
  var E = D.evidence, S = D.sources, C = D.claims, F = D.findings, CODES = D.codes;
  var PAGE = 50; // excerpt cards shown at a time; "Show more" adds as many again
  var KINDS = {"review-finding": "review finding", "evidence-gap": "evidence gap", "finding": "excerpt line under a theme",
               "theme-summary": "theme summary", "answer": "answer", "evidence-base": "evidence base", "comparison": "comparison"};
  var DIRECT = {primary: "a primary study", secondary: "secondary reports only", commentary: "commentary only"};

  // ---- small helpers: elements are made from text, never from HTML strings ----
  function add(node, kid) {
    if (kid === null || kid === undefined || kid === false) { return; }
    if (Array.isArray(kid)) { kid.forEach(function (k) { add(node, k); }); return; }
    node.appendChild(typeof kid === "object" ? kid : document.createTextNode(String(kid)));
  }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else if (k === "cls") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    for (var i = 2; i < arguments.length; i++) { add(node, arguments[i]); }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function plural(n, one, many) { return n.toLocaleString("en-GB") + " " + (n === 1 ? one : (many || one + "s")); }
  // Search is by words, in lower case, curly quotes and dashes read as straight ones.
  var FOLD = {"\u2018": "'", "\u2019": "'", "\u201c": "\"", "\u201d": "\""};
  function fold(text) {
    return text.toLowerCase().replace(/[\u2010-\u2015\u2018\u2019\u201c\u201d]/g, function (c) { return FOLD[c] || "-"; });
  }
  function reportLink(anchor, label) {
    // Anchors are made of [A-Za-z0-9_.:-] by the build (synthesis.report.claims.anchor); encoded again all the same.
    return el("a", {href: D.report + "#" + encodeURIComponent(anchor), cls: "report-link"}, label || "in the report");
  }
  function button(label, action, attrs) {
    var b = el("button", Object.assign({type: "button"}, attrs || {}), label);
    b.addEventListener("click", action);
    return b;
  }

  // ---- what each excerpt is linked to ----
  var claimsOf = E.map(function () { return []; });
  C.forEach(function (c, ci) { c.e.forEach(function (i) { claimsOf[i].push(ci); }); });
  var findingsOf = E.map(function () { return []; });
  F.forEach(function (f, fi) { f.e.forEach(function (i) { findingsOf[i].push(fi); }); });
  // What the search looks in, made at the first search (20,000 excerpts take a noticeable moment to fold).
  var hay = null, findingHay = null;
  function searchable() {
    if (hay) { return; }
    hay = E.map(function (e) { return fold([e.x, e.f, e.qt || "", e.id, S[e.s].cite].join(" ")); });
    findingHay = F.map(function (f) { return fold([f.id, f.text, f.why].concat(f.table.map(function (r) { return r.why; })).join(" ")); });
  }
  var claimAt = {}; C.forEach(function (c, ci) { claimAt[c.id] = ci; });
  var excerptAt = {}; E.forEach(function (e, i) { excerptAt[e.id] = i; });

  var state = {q: "", code: "", country: "", role: "", type: "", conf: "", text: "", sel: null, shown: PAGE, view: "country"};
  var FILTERS = ["q", "code", "country", "role", "type", "conf"];

  function terms() {
    var words = fold(state.text).split(/\s+/).filter(Boolean);
    if (words.length) { searchable(); }
    return words;
  }
  function inFindingWith(i, conf) {
    var fs = findingsOf[i];
    if (conf === "none") { return fs.length === 0; }
    return fs.some(function (f) { return F[f].conf === conf; });
  }
  // The excerpt filters other than confidence and search (what a review finding's evidence is also held to).
  function coded(i) {
    var e = E[i];
    return (!state.q || e.q.indexOf(state.q) >= 0) && (state.code === "" || e.c.indexOf(+state.code) >= 0) &&
      (!state.country || e.n.indexOf(state.country) >= 0) && (!state.role || S[e.s].role === state.role) &&
      (!state.type || e.t.indexOf(state.type) >= 0);
  }
  function excerptsShown() {
    var words = terms(), out = [];
    var pool = state.sel ? state.sel.ids : null;
    var n = pool ? pool.length : E.length;
    for (var k = 0; k < n; k++) {
      var i = pool ? pool[k] : k;
      if (!coded(i) || (state.conf && !inFindingWith(i, state.conf))) { continue; }
      if (words.length && !words.every(function (w) { return hay[i].indexOf(w) >= 0; })) { continue; }
      out.push(i);
    }
    return out;
  }
  function findingsShown() {
    var words = terms(), narrowed = state.code !== "" || state.country || state.role || state.type;
    var chosen = state.sel ? new Set(state.sel.ids) : null;
    return F.map(function (f, fi) { return fi; }).filter(function (fi) {
      var f = F[fi];
      if (state.q && f.q !== state.q) { return false; }
      if (state.conf && (state.conf === "none" || f.conf !== state.conf)) { return false; }
      if (narrowed && !f.e.some(coded)) { return false; }
      if (chosen && !f.e.some(function (i) { return chosen.has(i); })) { return false; }
      return words.every(function (w) { return findingHay[fi].indexOf(w) >= 0; });
    });
  }

  // ---- the page's frame ----
  var app = document.getElementById("app");
  var live = el("p", {cls: "summary", role: "status", "aria-live": "polite"});
  var search = el("input", {type: "search", id: "search", placeholder: "words in quotes and findings", autocomplete: "off"});
  var filterBox = el("div", {cls: "filters"});
  var gapBox = el("div", {cls: "gap-map"});
  var findingBox = el("div", {cls: "findings"});
  var selectionBox = el("div", {cls: "selection"});
  var listBox = el("div", {cls: "excerpts"});
  var moreBox = el("div", {cls: "more"});
  var resultsHeading = el("h2", {id: "results-heading", tabindex: "-1"}, "Excerpts");
  var findingsHeading = el("h2", {id: "findings-heading", tabindex: "-1"}, "Review findings");
  add(app, [
    el("aside", {cls: "controls", "aria-label": "Search and filters"},
      el("div", {cls: "field"}, el("label", {"for": "search"}, "Search quotes and findings"), search),
      filterBox, live),
    el("main", {id: "main"},
      el("section", {id: "gap-map", "aria-labelledby": "gap-heading"}, el("h2", {id: "gap-heading"}, "Gap map"), gapBox),
      el("section", {id: "findings", "aria-labelledby": "findings-heading"}, findingsHeading, findingBox),
      el("section", {id: "results", "aria-labelledby": "results-heading"}, resultsHeading, selectionBox, listBox, moreBox))
  ]);

  // ---- filters ----
  function options(pairs) { return pairs.map(function (p) { return el("option", {value: p[0]}, p[1]); }); }
  var controls = {};
  function select(key, label, pairs) {
    var box = el("select", {id: "filter-" + key}, el("option", {value: ""}, "All"), options(pairs));
    box.addEventListener("change", function () { state[key] = box.value; refresh(); });
    controls[key] = box;
    return el("div", {cls: "field"}, el("label", {"for": "filter-" + key}, label), box);
  }
  function entries(map) { return Object.keys(map).map(function (k) { return [k, map[k]]; }); }
  var confidences = entries(D.confidence).filter(function (p) { return F.some(function (f) { return f.conf === p[0]; }); });
  add(filterBox, [
    select("q", "Question", D.questions.map(function (q) { return [q.id, q.id + ": " + q.short]; })),
    select("code", "Theme (code)", CODES.map(function (c, ci) { return [String(ci), c.label]; })),
    select("country", "Country", entries(D.countries).filter(function (p) { return p[0].indexOf("group:") !== 0; })),
    select("role", "Document role", entries(D.roles)),
    select("type", "Evidence type", entries(D.types)),
    select("conf", "Confidence (CERQual, of the review findings)", confidences.concat([["none", "in no review finding"]])),
    el("div", {cls: "field"}, button("Clear filters and search", function () { reset(); refresh(); }, {id: "clear"}))
  ]);
  var typing = null;
  search.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { state.text = search.value; refresh(); }, 120);
  });
  function reset() {
    FILTERS.forEach(function (k) { state[k] = ""; controls[k].value = ""; });
    state.text = ""; search.value = ""; state.sel = null;
  }

  // ---- the gap map: themes by country (the report's figure) and themes by question ----
  function cellLabel(code, where, cell, extra) {
    return CODES[code].label + " × " + where + ": " + plural(cell.d, "document") + ", " +
      plural(cell.s, "independent study", "independent studies") + (extra ? "; " + extra : "") + ". Show its excerpts";
  }
  function drawGapMap() {
    clear(gapBox);
    var byCountry = state.view === "country";
    var toggle = el("div", {cls: "toggle", role: "group", "aria-label": "Gap map view"},
      button("Themes by country", function () { state.view = "country"; drawGapMap(); }, {"aria-pressed": String(byCountry), id: "view-country"}),
      button("Themes by question", function () { state.view = "question"; drawGapMap(); }, {"aria-pressed": String(!byCountry), id: "view-question"}));
    var columns = byCountry ? D.gap_map.columns : D.questions.map(function (q) { return {id: q.id, name: q.id + ": " + q.short}; });
    var cells = {};
    (byCountry ? D.gap_map.by_country : D.gap_map.by_question).forEach(function (c) { cells[c.c + " " + c.k] = c; });
    var head = el("tr", {}, el("th", {scope: "col"}, "Theme"),
      columns.map(function (c) { return el("th", {scope: "col", cls: c.empty ? "group-col" : ""}, c.name, c.empty ? " (none coded)" : ""); }));
    var rows = CODES.map(function (code, ci) {
      return el("tr", {}, el("th", {scope: "row", title: code.def}, code.label), columns.map(function (col, k) {
        var cell = cells[ci + " " + k];
        if (!cell) { return el("td", {cls: col.empty ? "group-col none" : "none"}, el("span", {cls: "sr"}, "none")); }
        if (!cell.e.length) { return el("td", {cls: "none gap", title: "A theme of this question with no evidence"}, "0"); }
        var extra = byCountry ? "most direct evidence: " + DIRECT[cell.dir] : "rated " + cell.rate;
        var chosen = state.sel && state.sel.cell === (state.view + " " + ci + " " + k);
        return el("td", {}, button(cell.d + (cell.s ? " (" + cell.s + ")" : ""), function () {
          choose({cell: state.view + " " + ci + " " + k, ids: cell.e, title: "Gap-map cell: " + CODES[ci].label + " × " + col.name,
                  text: plural(cell.d, "document") + ", " + plural(cell.s, "independent study", "independent studies") + "; " + extra + "."});
        }, {cls: "cell " + (byCountry ? "dir-" + cell.dir : "rate"), "aria-label": cellLabel(ci, col.name, cell, extra),
            "aria-pressed": String(Boolean(chosen))}));
      }));
    });
    add(gapBox, [toggle,
      el("div", {cls: "grid-wrap"}, el("table", {cls: "grid", id: "grid-" + state.view},
        el("caption", {}, byCountry ? "Themes by country: documents (independent studies) per cell; the shade is the most direct evidence."
                                    : "Themes by question: documents (independent studies) per theme of each question; 0 marks a theme with no evidence."),
        el("thead", {}, head), el("tbody", {}, rows))),
      byCountry ? el("p", {cls: "legend"}, Object.keys(DIRECT).map(function (d) {
        return el("span", {}, el("span", {cls: "swatch dir-" + d, "aria-hidden": "true"}), " " + DIRECT[d]);
      })) : null]);
  }

  // ---- selections: a gap-map cell, a claim or a review finding narrows the excerpts to its evidence ----
  function choose(selection) {
    state.sel = selection;
    refresh();
    drawGapMap();
    var heading = selectionBox.querySelector("h3");
    (heading || resultsHeading).focus();
  }
  function chooseClaim(ci) {
    var c = C[ci];
    choose({claim: ci, ids: c.e, title: "Claim " + c.id, text: c.text});
  }
  function chooseFinding(fi) {
    var f = F[fi];
    choose({finding: fi, ids: f.e, title: "Review finding " + f.id, text: f.text});
  }
  function drawSelection() {
    clear(selectionBox);
    var sel = state.sel;
    if (!sel) { return; }
    var about = [];
    if (sel.claim !== undefined) {
      var c = C[sel.claim];
      about.push(el("p", {cls: "kind"}, KINDS[c.kind] || c.kind, " · question " + c.q, c.code ? " · " + c.code : "", " · ", reportLink(c.anchor)));
    }
    add(selectionBox, el("div", {cls: "chosen", role: "region", "aria-label": sel.title},
      el("h3", {tabindex: "-1"}, sel.title), about, el("p", {}, sel.text),
      el("p", {}, (sel.cell ? "Its evidence: " : "Rests on ") + plural(sel.ids.length, "excerpt") + ". ",
        button("Show every excerpt again", function () { state.sel = null; refresh(); drawGapMap(); resultsHeading.focus(); }, {id: "unselect"}))));
  }

  // -- appraisals: a source's beside its excerpts; a finding's sources' beside its methodological limitations --
  var APPRAISING = Object.keys(D.tools).length > 0; // the review declares appraisal tools
  function toolName(a) { return D.tools[a.tool] || a.tool; }
  function concernWords(a) { return D.concerns[a.concern] || a.concern; }
  function itemsOfConcern(a) { return a.items.map(function (i) { return i.label; }).join(", ") || "none"; }
  function appraisalDetails(a) {
    return el("details", {cls: "appraisal"},
      el("summary", {}, toolName(a) + ": " + concernWords(a) + " (" +
        (a.items.length ? a.items.length + " of " + a.n + " items raise" : "no item of " + a.n + " raises") +
        " concern)"),
      el("p", {cls: "why"}, a.why),
      el("p", {cls: "by"}, "Appraised by " + a.by + (a.draft ? " (a draft coder)" : "") + ", " + a.path + "."),
      a.items.length ? el("ul", {cls: "concerns"}, a.items.map(function (i) {
        return el("li", {}, el("strong", {}, i.label + ": " + i.answer + "."), " " + i.note);
      })) : null);
  }
  function appraisalOf(s) {
    var a = D.appraisals[s.key];
    if (a) { return appraisalDetails(a); }
    return APPRAISING && s.role !== "protocol" ? "not yet appraised (appraisal/" + s.key + ".yaml)" : null;
  }
  function limitationAppraisals(ap) {
    var any = ap.r.some(function (r) { return D.appraisals[S[r[0]].key]; });
    if (!any && !APPRAISING) { return null; }
    return el("div", {cls: "appraisals"},
      el("p", {}, "Appraisals of its sources (excerpts of its " + ap.n + "):"),
      el("ul", {}, ap.r.map(function (r) {
        var s = S[r[0]], a = D.appraisals[s.key];
        return el("li", {}, el("strong", {}, s.key), " " + r[1] + "/" + ap.n + ": ",
          a ? toolName(a) + ", " + concernWords(a) + (a.draft ? " (a draft appraisal)" : "") +
              "; items of concern: " + itemsOfConcern(a)
            : "not appraised");
      })));
  }

  // ---- review findings with their GRADE-CERQual tables ----
  function findingCard(fi) {
    var f = F[fi];
    var table = f.table.length ? el("details", {cls: "cerqual"},
      el("summary", {}, "GRADE-CERQual assessment: each component's concern beside what the build counted"),
      el("table", {cls: "cerqual"},
        el("thead", {}, el("tr", {}, ["Component", "Concern", "Explanation", "What the build counted"].map(function (h) { return el("th", {scope: "col"}, h); }))),
        el("tbody", {}, f.table.map(function (r) {
          return el("tr", {}, el("th", {scope: "row"}, r.name), el("td", {"data-label": "Concern"}, r.concern),
            el("td", {"data-label": "Explanation"}, r.why),
            el("td", {"data-label": "What the build counted"}, r.facts,
              r.ap ? limitationAppraisals(r.ap) : null));
        })))) : null;
    var claim = f.claim === null ? null : C[f.claim];
    return el("article", {cls: "finding" + (f.kind === "gap" ? " gap" : ""), id: "finding-" + fi},
      el("h3", {}, f.id, " ", el("span", {cls: "badge conf-" + (f.conf || "gap")}, f.conf ? D.confidence[f.conf] + " confidence" : "evidence gap"),
        f.draft ? el("span", {cls: "badge draft"}, "draft") : null),
      el("p", {cls: "statement"}, f.text),
      el("p", {cls: "why"}, f.why, " ", f.kind === "gap" ? f.facts : ""),
      table,
      el("p", {}, button("Show its " + plural(f.e.length, "excerpt"), function () { chooseFinding(fi); }, {cls: "show-evidence"}),
        claim ? [" ", reportLink(claim.anchor)] : null));
  }
  function drawFindings() {
    clear(findingBox);
    if (!F.length) { add(findingBox, el("p", {}, "This review has no review findings (findings/<question>.yaml).")); return; }
    var shown = findingsShown();
    add(findingBox, el("p", {cls: "count"}, plural(shown.length, "review finding") + " of " + F.length.toLocaleString("en-GB") + " match."));
    D.questions.forEach(function (q) {
      var mine = shown.filter(function (fi) { return F[fi].q === q.id; });
      if (!mine.length) { return; }
      var answer = D.answers.filter(function (a) { return a.q === q.id; })[0];
      add(findingBox, el("div", {cls: "question"}, el("h3", {cls: "q"}, q.id + ": " + q.short),
        answer ? el("p", {cls: "answer"}, el("strong", {}, "Answer: "), answer.text) : null,
        mine.map(findingCard)));
    });
  }

  // ---- excerpts ----
  function quoteInContext(e) {
    var parts = [], at = 0;
    (e.k || []).forEach(function (cut) {
      parts.push(el("mark", {}, e.x.slice(at, cut[0])), el("span", {cls: "cut"}, " [cut: " + e.x.slice(cut[0], cut[1]) + "] "));
      at = cut[1];
    });
    parts.push(el("mark", {}, e.x.slice(at)));
    return el("blockquote", {cls: "context"}, "…" + e.b, parts, e.a + "…");
  }
  function row(label, value) { return [el("dt", {}, label), el("dd", {}, value)]; }
  function excerptCard(i) {
    var e = E[i], s = S[e.s], appraisal = appraisalOf(s);
    var claims = claimsOf[i];
    return el("article", {cls: "excerpt", id: "ev-" + i},
      el("h3", {tabindex: "-1"}, el("span", {cls: "cite"}, s.cite + ", " + e.l), " ", el("code", {}, e.id)),
      quoteInContext(e),
      el("p", {cls: "coded"}, el("strong", {}, "Coded finding: "), e.f),
      e.qt ? el("p", {cls: "typed"}, el("strong", {}, "Quote as typed in the sheet: "), e.qt) : null,
      el("dl", {cls: "meta"},
        row("Where", s.path + ", " + e.w + (e.h === undefined ? "" : ", under \u201c" + D.headings[e.h] + "\u201d")),
        row("SHA-256", el("code", {cls: "sha"}, s.sha)),
        s.extractor ? row("Text", "extracted by " + s.extractor) : null,
        row("Coded", s.sheet + ", line " + e.r + (e.o ? ", by " + e.o : "")),
        row("Themes", e.c.map(function (c) { return CODES[c].label; }).join("; ")),
        row("Questions", e.q.join(", ")),
        row("Countries", e.n.map(function (n) { return D.countries[n] || n; }).join(", ") || "none recorded"),
        row("Evidence type", e.t.map(function (t) { return D.types[t] || t; }).join(", ") || "not recorded"),
        row("Document", s.title + " (" + [D.roles[s.role], s.type.replace(/_/g, " "), s.year].filter(Boolean).join(", ") + ")"),
        e.st ? row("Study", e.st) : null,
        appraisal ? row("Appraisal", appraisal) : null),
      el("div", {cls: "claims"}, el("h4", {}, claims.length ? "Claims resting on it (" + claims.length + ")" : "No claim of the report rests on it"),
        claims.length ? el("ul", {}, claims.map(function (ci) {
          var c = C[ci];
          return el("li", {}, button(c.id, function () { chooseClaim(ci); }, {cls: "claim", "aria-label": "Claim " + c.id + ": show it and its excerpts"}),
            " ", el("span", {cls: "kind"}, KINDS[c.kind] || c.kind), " ", el("span", {cls: "claim-text"}, c.text), " ", reportLink(c.anchor));
        })) : null));
  }
  var current = [];
  function drawMore() {
    clear(moreBox);
    if (current.length > state.shown) {
      add(moreBox, button("Show " + Math.min(PAGE, current.length - state.shown).toLocaleString("en-GB") + " more of " +
        (current.length - state.shown).toLocaleString("en-GB"), function () {
        var first = state.shown;
        state.shown += PAGE;
        add(listBox, current.slice(first, state.shown).map(excerptCard));
        drawMore();
        var card = document.getElementById("ev-" + current[first]);
        if (card) { card.querySelector("h3").focus(); }
      }, {id: "more"}));
    }
  }
  function drawExcerpts() {
    current = excerptsShown();
    state.shown = PAGE;
    var documents = new Set(current.map(function (i) { return E[i].s; })).size;
    clear(listBox);
    add(listBox, current.slice(0, state.shown).map(excerptCard));
    if (!current.length) { add(listBox, el("p", {cls: "empty"}, "No excerpt matches these filters.")); }
    drawMore();
    live.textContent = plural(current.length, "excerpt") + " from " + plural(documents, "source") + " match" +
      (current.length === 1 ? "es" : "") + (current.length > PAGE ? "; the first " + PAGE + " are shown." : ".");
  }
  function refresh() {
    drawSelection();
    drawFindings();
    drawExcerpts();
  }

  // A link such as explorer.html#claim=Q1-F1 or #ev=green2023:12 opens at that claim or excerpt.
  function follow() {
    var hash;
    try { hash = decodeURIComponent(location.hash.slice(1)); } catch (err) { return; } // a malformed %-escape: stay
    var at = hash.indexOf("=");
    var kind = hash.slice(0, at), id = hash.slice(at + 1);
    if (kind === "claim" && claimAt[id] !== undefined) { chooseClaim(claimAt[id]); }
    if (kind === "ev" && excerptAt[id] !== undefined) { choose({ids: [excerptAt[id]], title: "Excerpt " + id, text: E[excerptAt[id]].f}); }
  }
  window.addEventListener("hashchange", follow);
  drawGapMap();
  refresh();
  follow();
  document.documentElement.setAttribute("data-ready", "true"); // for tests and timing: the page is built
})();
