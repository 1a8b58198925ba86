-- pandoc Lua filter for tests/tools/docs_md2rst.py: docs/*.md (GitHub markdown) -> the
-- collection's extra docs (docs/docsite/rst/*.rst, read by antsibull-docs and Sphinx).
--
-- Links keep working on GitHub (relative paths) and become Sphinx references in the site:
--   NAME.md[#...]                       -> :ref: to that page's label (the anchor is dropped)
--   ../roles/NAME[/...]                 -> :ansplugin: role page  (hapair.cluster.NAME#role)
--   ../plugins/modules/NAME.py          -> :ansplugin: module page
--   ../plugins/filter/NAME.py           -> :ansplugin: filter page
--   any other relative path             -> its text only (no dead link in the site)
--   http(s)/mailto/#anchor              -> left as they are
-- Code blocks without a language get "text", so Sphinx never guesses a lexer (and never warns
-- that a block is not valid YAML+Jinja, the site's default language).

local PREFIX = "ansible_collections.hapair.cluster.docsite."
local COLLECTION = "hapair.cluster."

local function rst_text(inlines)
  -- text of the link as it may appear inside `...` of a role: backquotes and angle brackets
  -- would end the role early, so they are removed.
  local text = pandoc.utils.stringify(inlines)
  text = text:gsub("[`<>]", "")
  return text
end

local function role(name, text, target)
  if text == "" then
    return pandoc.RawInline("rst", ":" .. name .. ":`" .. target .. "`")
  end
  return pandoc.RawInline("rst", ":" .. name .. ":`" .. text .. " <" .. target .. ">`")
end

function Link(el)
  local target = el.target
  if target:match("^%a[%w+.-]*:") or target:match("^#") then
    return nil
  end
  local path = target:gsub("#.*$", "")
  local text = rst_text(el.content)

  local page = path:match("^%./([%w_-]+)%.md$") or path:match("^([%w_-]+)%.md$")
  if page then
    return role("ref", text, PREFIX .. page)
  end
  local rolename = path:match("^%.%./roles/([%w_]+)/?") or path:match("^roles/([%w_]+)/?")
  if rolename then
    return role("ansplugin", text, COLLECTION .. rolename .. "#role")
  end
  local kind, plugin = path:match("^%.%./plugins/(%w+)/([%w_]+)%.py$")
  if kind == "modules" then
    return role("ansplugin", text, COLLECTION .. plugin .. "#module")
  elseif kind == "filter" then
    return role("ansplugin", text, COLLECTION .. plugin .. "#filter")
  end
  -- A file of the repository (a playbook, a test...): it is not part of the site.
  return el.content
end

function CodeBlock(el)
  if #el.classes == 0 then
    el.classes = {"text"}
  end
  return el
end
