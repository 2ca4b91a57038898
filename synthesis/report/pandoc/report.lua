-- Run by pandoc after citeproc, for every output format.
-- 1. Drop the bibliography and CSL paths from the metadata: they are build details, and DOCX would
--    otherwise store the CSL file's absolute path, so two clones in different folders would differ.
-- 2. DOCX only: a table of contents as ordinary links (headings of levels 1 and 2), visible as soon as the
--    document opens, instead of Word's TOC field that shows nothing until the reader updates fields.
-- 3. DOCX only: table column widths that never break a word (each column at least as wide as its longest
--    word, the rest shared by how much text a column holds); a table too wide for a portrait page gets a
--    landscape page of its own. The draft banner is a shaded box (the reference document's "Banner" style).
-- 4. HTML only: a `.collapsible` division (the table of every excerpt) as a <details> element, closed.

-- Characters that fit across the DOCX text column at the table font (measured on LibreOffice's rendering:
-- 6.5 in of a US Letter portrait page, 9 in of a landscape one).
local LINE = 66
local LANDSCAPE_LINE = 90
-- A section ends with the paragraph that holds its properties: the one before a wide table ends the
-- portrait pages, the one after it ends the table's landscape pages (the page size is the reference
-- document's, US Letter with 1 in margins, stated so every section agrees).
local MARGINS = '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/>'
local PORTRAIT = '<w:p><w:pPr><w:sectPr><w:pgSz w:w="12240" w:h="15840"/>' .. MARGINS .. '</w:sectPr></w:pPr></w:p>'
local LANDSCAPE = '<w:p><w:pPr><w:sectPr><w:pgSz w:w="15840" w:h="12240" w:orient="landscape"/>' .. MARGINS .. '</w:sectPr></w:pPr></w:p>'

local function words_of(text)
  local longest, length = 0, utf8.len(text) or #text
  for word in text:gmatch("%S+") do
    longest = math.max(longest, utf8.len(word) or #word)
  end
  return longest, length
end

-- Each column's need (its longest word, in characters, with room for padding; bold in the header) and size (its
-- text), and their total need: measured once per table (every cell stringified once, which for a table of
-- thousands of rows costs more than the rest of this filter).
local function measure(tbl)
  local n = #tbl.colspecs
  local need, size = {}, {}
  for i = 1, n do need[i], size[i] = 1, 0 end
  local function scan(rows, bold)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        if i <= n then
          local longest, length = words_of(pandoc.utils.stringify(cell.contents))
          need[i] = math.max(need[i], math.ceil(longest * (bold and 1.2 or 1.05)) + 2)
          size[i] = size[i] + length
        end
      end
    end
  end
  scan(tbl.head.rows, true)
  for _, body in ipairs(tbl.bodies) do scan(body.body, false) end
  local total_need = 0
  for i = 1, n do total_need = total_need + need[i] end
  return need, size, total_need
end

-- The table with its columns' widths fitted to a line of `line` characters.
local function widths(tbl, need, size, line)
  local n = #tbl.colspecs
  -- Share the line by how much text each column holds, but never below a column's longest word: columns
  -- that would get less are fixed at their need and the rest is shared again among the others.
  local width, fixed = {}, {}
  local changed = true
  while changed do
    changed = false
    local room, text = line, 0
    for i = 1, n do
      if fixed[i] then room = room - need[i] else text = text + size[i] end
    end
    for i = 1, n do
      if not fixed[i] then
        width[i] = text > 0 and math.max(room, 0) * size[i] / text or need[i]
        if width[i] < need[i] then fixed[i], changed = true, true end
      else
        width[i] = need[i]
      end
    end
  end
  local sum = 0
  for i = 1, n do sum = sum + width[i] end
  for i = 1, n do
    tbl.colspecs[i] = {tbl.colspecs[i][1], width[i] / math.max(sum, line)}
  end
  return tbl
end

function Table(tbl)
  if FORMAT == "docx" then
    local need, size, total_need = measure(tbl)
    if total_need <= LINE then
      return widths(tbl, need, size, LINE)
    end
    return {pandoc.RawBlock("openxml", PORTRAIT), widths(tbl, need, size, LANDSCAPE_LINE),
            pandoc.RawBlock("openxml", LANDSCAPE)}
  end
end

function Div(div)
  if FORMAT == "docx" and div.classes:includes("banner") then
    div.attributes["custom-style"] = "Banner"
    return div
  end
  if FORMAT == "html" and div.classes:includes("collapsible") then
    local label = div.attributes["summary"] or "Show"
    local blocks = {pandoc.RawBlock("html", "<details><summary>" .. label:gsub("[<>&\"]", "") .. "</summary>")}
    for _, block in ipairs(div.content) do table.insert(blocks, block) end
    table.insert(blocks, pandoc.RawBlock("html", "</details>"))
    return blocks
  end
end

local function contents(blocks)
  local top = {}
  for _, block in ipairs(blocks) do
    if block.t == "Header" and block.level <= 2 and block.identifier ~= "" then
      local link = pandoc.Link(block.content, "#" .. block.identifier)
      if block.level == 1 or #top == 0 then
        table.insert(top, {pandoc.Plain({link}), sub = {}})
      else
        table.insert(top[#top].sub, {pandoc.Plain({link})})
      end
    end
  end
  local items = {}
  for _, entry in ipairs(top) do
    local item = {entry[1]}
    if #entry.sub > 0 then
      table.insert(item, pandoc.BulletList(entry.sub))
    end
    table.insert(items, item)
  end
  return pandoc.BulletList(items)
end

function Pandoc(doc)
  doc.meta.bibliography = nil
  doc.meta.csl = nil
  if FORMAT == "docx" then
    local list = contents(doc.blocks)
    -- After the draft banner, if there is one: the reader should see it first.
    local at = 1
    if doc.blocks[1] and doc.blocks[1].t == "Div" and doc.blocks[1].classes:includes("banner") then
      at = 2
    end
    table.insert(doc.blocks, at, list)
    table.insert(doc.blocks, at, pandoc.Header(1, {pandoc.Str("Contents")}, pandoc.Attr("contents", {"unnumbered"})))
  end
  return doc
end
