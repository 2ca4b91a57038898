-- Run by pandoc after citeproc, for every output format.
-- 1. Drop the bibliography and CSL paths from the metadata: they are build details, and DOCX would
--    otherwise store the CSL file's absolute path, so two clones in different folders would differ.
-- 2. DOCX only: a table of contents as ordinary links (headings of levels 1 and 2), visible as soon as the
--    document opens, instead of Word's TOC field that shows nothing until the reader updates fields.

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
