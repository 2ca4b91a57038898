-- Run by pandoc before citeproc. A work with no author or editor is cited in text by its short title
-- (the report's `short-titles` metadata, from the BibTeX `shorttitle` field) instead of its whole title,
-- which styles put in its author's place: "(Green and Sissons, 2023; Sectoral pathways, no date)".

local short = {}

local function read(meta)
  local titles = meta["short-titles"]
  if titles then
    for key, value in pairs(titles) do
      short[key] = pandoc.utils.stringify(value)
    end
  end
  meta["short-titles"] = nil
  return meta
end

local function cite(el)
  local narrative = nil
  for _, c in ipairs(el.citations) do
    local title = short[c.id]
    if title then
      if c.mode == "AuthorInText" then
        narrative = title
      else
        local prefix = {pandoc.Emph({pandoc.Str(title)}), pandoc.Str(",")}
        for _, inline in ipairs(c.prefix) do
          table.insert(prefix, inline)
        end
        c.prefix = prefix
      end
      c.mode = "SuppressAuthor"
    end
  end
  if narrative then
    return {pandoc.Emph({pandoc.Str(narrative)}), pandoc.Space(), el}
  end
  return el
end

return {{Meta = read}, {Cite = cite}}
