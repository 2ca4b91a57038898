-- Nothing in a rendered report may run: the Markdown reader already refuses raw
-- HTML; this filter also drops raw blocks of any format, event attributes (onclick,
-- ontoggle, ...) and links or images whose URL has an executable scheme.
local UNSAFE_SCHEME = { javascript = true, vbscript = true, data = true, file = true }

local function unsafe(url)
  local compact = url:gsub("[%s%c]", ""):lower()
  local scheme = compact:match("^([%a][%w+.-]*):")
  return scheme ~= nil and UNSAFE_SCHEME[scheme] and not (scheme == "data" and compact:match("^data:image/png;base64,"))
end

local function safe_url(url)
  if unsafe(url) then return "#unsafe-link-removed" end
  return url
end

local function clean_attr(el)
  if el.attr then
    local kept = {}
    for _, pair in ipairs(el.attr.attributes) do
      local key = pair[1]:lower()
      if not key:match("^on") and key ~= "style" and key ~= "srcdoc" and key ~= "href" and key ~= "src" then
        table.insert(kept, pair)
      end
    end
    el.attr.attributes = kept
  end
  return el
end

function RawInline(_) return {} end
function RawBlock(_) return {} end
function Link(el) el.target = safe_url(el.target); return clean_attr(el) end
function Image(el)
  if unsafe(el.src) then return el.caption end  -- the alt text, as text
  return clean_attr(el)
end
function Span(el) return clean_attr(el) end
function Div(el) return clean_attr(el) end
function Header(el) return clean_attr(el) end
function Code(el) return clean_attr(el) end
function CodeBlock(el) return clean_attr(el) end
function Table(el) return clean_attr(el) end
