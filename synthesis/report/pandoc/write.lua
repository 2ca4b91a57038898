-- A pandoc custom writer: the HTML and the DOCX from one reading of the report (the Markdown read once, its
-- citations resolved once, no JSON written and read again between them). render.py runs it and says what to
-- write in the environment: SYNTHESIS_HTML ("1": the HTML is this writer's output), SYNTHESIS_DOCX (where to
-- write the DOCX), SYNTHESIS_HEADER (the stylesheet's <style> file), SYNTHESIS_REFERENCE (the reference DOCX).
-- Each format gets its own run of report.lua, with FORMAT set as pandoc sets it for that writer.
-- The HTML is self-contained: each of the report's own images is put in as a data: URI (what
-- --embed-resources did, without parsing the whole page again). A missing image is said, and nothing written.

local IMAGE_TYPES = {png = "image/png", svg = "image/svg+xml", jpg = "image/jpeg", jpeg = "image/jpeg",
                     gif = "image/gif"}
local HERE = PANDOC_SCRIPT_FILE:match("^(.*[/\\])") or "./"

local function setting(name)
  local value = os.getenv(name)
  if value == nil or value == "" then return nil end
  return value
end

-- report.lua as pandoc would run it for `fmt`: its globals in a table of their own.
local function for_format(doc, fmt)
  local filter = setmetatable({FORMAT = fmt}, {__index = _G})
  assert(loadfile(HERE .. "report.lua", "t", filter))()
  return doc:walk(filter)
end

-- A file of the report's: not a URL (any scheme), an absolute path or a link within the page.
local function own_file(src)
  return not (src:match("^[%a][%w+.-]*:") or src:match("^[/#]"))
end

-- The report's own images with their contents, in the order they appear; the ones not found.
local function images(doc)
  local found, missing = {}, {}
  doc:walk({Image = function(img)
    if own_file(img.src) and found[img.src] == nil then
      local mime = IMAGE_TYPES[(img.src:match("%.([^./\\]+)$") or ""):lower()]
      local ok, _type, contents = pcall(pandoc.mediabag.fetch, img.src)
      if mime and ok and contents then
        found[img.src] = pandoc.mediabag.make_data_uri(mime, contents)
      else
        found[img.src] = false
        table.insert(missing, img.src)
      end
    end
  end})
  return found, missing
end

function Writer(doc, _opts)
  local found, missing = images(doc)
  if #missing > 0 then
    local places, seen = {}, {}
    for _, place in ipairs(PANDOC_STATE.resource_path) do  -- pandoc may list a folder twice
      if not seen[place] then seen[place] = true; table.insert(places, place) end
    end
    places = table.concat(places, ", ")
    for _, src in ipairs(missing) do
      io.stderr:write("the image " .. src .. " is not in " .. places .. "\n")
    end
    os.exit(1)
  end
  local docx = setting("SYNTHESIS_DOCX")
  if docx then
    local bytes = pandoc.write(for_format(doc, "docx"), "docx", {reference_doc = setting("SYNTHESIS_REFERENCE")})
    local file = assert(io.open(docx, "wb"))
    file:write(bytes)
    file:close()
  end
  if not setting("SYNTHESIS_HTML") then
    return ""
  end
  local page = for_format(doc, "html"):walk({Image = function(img)
    if found[img.src] then img.src = found[img.src] end
    return img
  end})
  -- With our stylesheet, pandoc's own document styles stay out (as with --css). Lines break where the
  -- Markdown's do, never in a tag.
  local header = setting("SYNTHESIS_HEADER")
  local variables = {}
  if header then
    page.meta["document-css"] = false
    local file = assert(io.open(header, "r"))
    variables["header-includes"] = file:read("a")
    file:close()
  end
  return pandoc.write(page, "html", {template = pandoc.template.compile(pandoc.template.default("html")),
    table_of_contents = true, toc_depth = 2, wrap_text = "preserve", variables = variables})
end
