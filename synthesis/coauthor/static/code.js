// review code: the coding page. Plain JavaScript, no library. Values from the sheet are set as text, never as
// HTML; the one HTML inserted is the source's text as the server rendered and escaped it.
"use strict";
(function () {
  const token = document.querySelector('meta[name="review-token"]').content;
  const myCoder = document.querySelector('meta[name="review-coder"]').content;
  const text = document.getElementById("text");
  const form = document.getElementById("row");
  const quote = document.getElementById("quote");
  const status = document.getElementById("status");
  const messages = document.getElementById("messages");
  const list = document.getElementById("rows");
  const fields = ["finding", "evidence_type", "countries", "study", "study_design", "cites", "locator", "coder", "notes"];
  let version = "", selection = null, editing = "", rows = [];

  function api(path, body) {
    const init = {headers: {"X-Review-Token": token}};
    if (body) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(r => r.json().then(data => ({status: r.status, data: data})));
  }

  function say(lines, isError) {
    messages.textContent = "";
    for (const line of lines) {
      const li = document.createElement("li");
      li.textContent = line;
      li.className = isError ? "error" : "note";
      messages.appendChild(li);
    }
  }

  // A place in the page as an offset into the source: spans carry their first character's offset; the
  // offset inside a span counts code points (the server's offsets are Python's).
  function points(s) { return Array.from(s).length; }
  function spanOf(node) {
    const el = node.nodeType === 3 ? node.parentElement : node;
    return el && el.closest ? el.closest("span[data-s]") : null;
  }
  function offsets(range) {
    const spans = Array.from(text.querySelectorAll("span[data-s]")).filter(s => range.intersectsNode(s));
    if (!spans.length) return null;
    const first = spans[0], last = spans[spans.length - 1];
    let start = Number(first.dataset.s), end = Number(last.dataset.s) + points(last.textContent);
    if (spanOf(range.startContainer) === first && range.startContainer.nodeType === 3)
      start += points(range.startContainer.data.slice(0, range.startOffset));
    if (spanOf(range.endContainer) === last && range.endContainer.nodeType === 3)
      end = Number(last.dataset.s) + points(range.endContainer.data.slice(0, range.endOffset));
    return end > start ? [start, end] : null;
  }

  function noteSelection() {
    const sel = window.getSelection();
    if (!sel.rangeCount || sel.isCollapsed || !text.contains(sel.anchorNode)) return;
    const found = offsets(sel.getRangeAt(0));
    if (!found) return;
    selection = found;
    quote.textContent = sel.toString().replace(/\s+/g, " ").trim();
    quote.classList.add("chosen");
  }
  text.addEventListener("mouseup", noteSelection);
  text.addEventListener("keyup", noteSelection);
  document.addEventListener("selectionchange", () => { if (document.activeElement === text) noteSelection(); });

  function values() {
    const out = {codes: Array.from(form.querySelectorAll('input[name="codes"]:checked')).map(i => i.value).join("; ")};
    for (const name of fields) {
      const el = form.elements[name];
      if (!el) continue;
      out[name] = el.multiple ? Array.from(el.selectedOptions).map(o => o.value).join("; ") : el.value;
    }
    if (myCoder && !form.elements.coder) delete out.coder;
    return out;
  }

  function fill(cells) {
    const codes = (cells.codes || "").split(";").map(s => s.trim());
    for (const box of form.querySelectorAll('input[name="codes"]')) box.checked = codes.includes(box.value);
    for (const name of fields) {
      const el = form.elements[name];
      if (!el) continue;
      const value = cells[name] || "";
      if (el.multiple) {
        const chosen = value.split(";").map(s => s.trim());
        for (const o of el.options) o.selected = chosen.includes(o.value);
      } else el.value = value;
    }
  }

  function resetForm() {
    editing = "";
    selection = null;
    fill(myCoder ? {coder: myCoder} : {});
    document.getElementById("form-title").textContent = "New excerpt";
    document.getElementById("save").textContent = "Add excerpt";
    document.getElementById("cancel").hidden = true;
    quote.textContent = "Select a passage in the text.";
    quote.classList.remove("chosen");
  }

  function showRows() {
    list.textContent = "";
    for (const row of rows) {
      const li = document.createElement("li");
      li.id = "row-" + row.id;
      li.tabIndex = -1;
      const q = document.createElement("blockquote");
      q.textContent = row.cells.quote || "";
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = `id ${row.id} · ${row.cells.codes || "no codes"}` + (row.place ? ` · ${row.place}` : "");
      const finding = document.createElement("p");
      finding.textContent = row.cells.finding || "";
      li.append(q, meta, finding);
      for (const problem of row.problems) {
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = problem;
        li.appendChild(p);
      }
      const edit = document.createElement("button");
      edit.type = "button";
      edit.textContent = "Edit";
      edit.setAttribute("aria-label", `Edit row ${row.id}`);
      edit.addEventListener("click", () => startEdit(row));
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete row ${row.id}`);
      del.addEventListener("click", () => remove(row));
      li.append(edit, del);
      list.appendChild(li);
    }
  }

  function show(data) {
    version = data.version;
    text.innerHTML = data.html;  // escaped by the server (synthesis.coauthor.code_text)
    rows = data.rows;
    showRows();
    status.textContent = `${rows.length} row${rows.length === 1 ? "" : "s"} in ${data.sheet}` +
      (data.problems.length ? `; review check finds ${data.problems.length} problem(s), shown beside the rows` : "");
  }

  function load() {
    return api("/api/state").then(r => { show(r.data); document.getElementById("reload").hidden = true; });
  }

  function startEdit(row) {
    editing = row.id;
    selection = null;
    fill(row.cells);
    document.getElementById("form-title").textContent = `Editing row ${row.id}`;
    document.getElementById("save").textContent = "Save changes";
    document.getElementById("cancel").hidden = false;
    quote.textContent = (row.cells.quote || "") + "  (select a passage to replace the quote)";
    form.querySelector("textarea, input, select").focus();
  }

  function answer(r) {
    if (r.status === 200) {
      show(r.data);
      say(["Saved."].concat(r.data.warnings || []), false);
      resetForm();
      return;
    }
    if (r.data.stale) document.getElementById("reload").hidden = false;
    say([r.data.error].concat(r.data.problems || []), true);
  }

  function remove(row) {
    if (!window.confirm(`Delete row ${row.id}?`)) return;
    api("/api/save", {version: version, action: "delete", id: row.id, values: {}}).then(answer);
  }

  form.addEventListener("submit", event => {
    event.preventDefault();
    const body = {version: version, action: editing ? "edit" : "add", id: editing, values: values()};
    if (selection) body.selection = selection;
    api("/api/save", body).then(answer);
  });
  document.getElementById("cancel").addEventListener("click", resetForm);
  document.getElementById("reload").addEventListener("click", () => load().then(() => say(["Reloaded."], false)));
  text.addEventListener("click", event => {
    const mark = event.target.closest && event.target.closest("span.hl");
    if (!mark || !window.getSelection().isCollapsed) return;
    const target = document.getElementById("row-" + mark.dataset.ids.split(" ")[0]);
    if (target) { target.scrollIntoView({block: "center"}); target.focus(); }
  });
  resetForm();
  load();
})();
