-- Headless Neovim (0.7.2+) test of the iacm-lsp plugin against the real server
-- and the fake Harness API. Run by editors/test.sh, which sets:
--   IACM_TEST_PLUGIN   editors/nvim (added to runtimepath)
--   IACM_TEST_CMD      the server command (one path)
--   IACM_TEST_BASE     the fake's API base URL;  IACM_TEST_KEY  its API key
--   IACM_TEST_DIR      a temp dir with mistakes.catalog-info.yaml and live/catalog-info.yaml
--   IACM_TEST_FAKELOG  the fake's stdout (one line per request it served)
-- Prints PASS/FAIL lines and "N passed, M failed"; exits 0 only if all passed.

local env = function(k) return (assert(os.getenv(k), k .. ' not set')) end
vim.opt.runtimepath:prepend(env('IACM_TEST_PLUGIN'))
local dir = env('IACM_TEST_DIR')

local passed, failed = 0, 0
local function log(s) io.stdout:write(s .. '\n'); io.stdout:flush() end
local function check(ok, what, detail)
  if ok then passed = passed + 1; log('PASS ' .. what)
  else failed = failed + 1; log('FAIL ' .. what .. (detail and (': ' .. detail) or '')) end
  return ok
end
local function finish()
  log(string.format('%d passed, %d failed', passed, failed))
  pcall(vim.lsp.stop_client, vim.lsp.get_active_clients(), true)
  if failed == 0 and passed > 0 then vim.cmd('qall!') else vim.cmd('cquit 1') end
end
local function count_text(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

-- Capture showMessage (what :IacmOpenWorkspace gets on 0.7: no showDocument).
local messages = {}
vim.lsp.handlers['window/showMessage'] = function(_, result) table.insert(messages, result.message) end

local iacm = require('iacm_lsp')
iacm.setup({
  cmd = { env('IACM_TEST_CMD') },
  settings = { iacm = { baseUrl = env('IACM_TEST_BASE'), apiKey = env('IACM_TEST_KEY'), cacheTtlSeconds = 600 } },
})

-- 0. the Neovim 0.11+ config (lsp/iacm_lsp.lua) loads and names the server
local ok11, cfg11 = pcall(dofile, env('IACM_TEST_PLUGIN') .. '/lsp/iacm_lsp.lua')
check(ok11 and type(cfg11) == 'table' and vim.deep_equal(cfg11.cmd, { 'iacm-lsp' })
  and vim.deep_equal(cfg11.filetypes, { 'yaml' }) and type(cfg11.root_dir) == 'function',
  'lsp/iacm_lsp.lua (Neovim 0.11 config) loads: cmd, filetypes, root_dir')

-- 1. open the file with mistakes; -u NONE: no filetype detection, set it.
vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/mistakes.catalog-info.yaml'))
local mistakes = vim.api.nvim_get_current_buf()
vim.bo[mistakes].filetype = 'yaml'
local client = iacm.client(mistakes)
check(client ~= nil, 'setup() attached a client to the catalog file on FileType yaml')
if not client then return finish() end
-- stop waiting early when the server process exits (the client disappears)
vim.wait(10000, function()
  local c = vim.lsp.get_client_by_id(client.id)
  return c == nil or c.initialized == true
end, 20)
local c = vim.lsp.get_client_by_id(client.id)
local inited = c ~= nil and c.initialized == true
check(inited, 'server initialized')
if not inited then return finish() end

-- A YAML file that is not a catalog file gets no client.
vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/workflow.yaml'))
vim.bo.filetype = 'yaml'
check(iacm.client(0) == nil, 'plain YAML (a workflow) is left alone')
vim.cmd('buffer ' .. mistakes)

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end
local function find_diag(bufnr, code, lnum)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code_of(d) == code and (lnum == nil or d.lnum == lnum) then return d end
  end
end
local function line_of(bufnr, needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if l:find(needle, 1, true) then return i - 1, l end
  end
end

-- 2. diagnostics with our codes at the right places
local got = vim.wait(10000, function() return find_diag(mistakes, 'workspace-url-missing-resources') ~= nil end, 20)
check(got, 'diagnostics published with code workspace-url-missing-resources')
local nr_line, nr_text = line_of(mistakes, 'no-resources: ')
local d = find_diag(mistakes, 'workspace-url-missing-resources', nr_line)
check(d ~= nil and d.lnum == d.end_lnum and nr_text:sub(d.col + 1, d.end_col) == 'prod_ws'
  and d.source == 'iacm' and d.severity == vim.diagnostic.severity.ERROR,
  'workspace-url-missing-resources underlines exactly `prod_ws` on the no-resources line (error, source iacm)',
  d and string.format('%d:%d-%d:%d %q', d.lnum, d.col, d.end_lnum, d.end_col, nr_text:sub(d.col + 1, d.end_col)))
local in_line, in_text = line_of(mistakes, 'insecure: ')
local di = find_diag(mistakes, 'workspace-url-insecure', in_line)
check(di ~= nil and in_text:sub(di.col + 1, di.end_col) == 'http' and di.severity == vim.diagnostic.severity.WARN,
  'workspace-url-insecure underlines `http` (warning)')
local hy_line, hy_text = line_of(mistakes, 'hyphen: ')
local dh = find_diag(mistakes, 'workspace-url-identifier', hy_line)
check(dh ~= nil and hy_text:sub(dh.col + 1, dh.end_col) == 'payments-api', 'workspace-url-identifier underlines `payments-api`')

-- 3. quick fix through textDocument/codeAction + apply_workspace_edit
local function lsp_diag(x)
  return {
    range = { start = { line = x.lnum, character = x.col }, ['end'] = { line = x.end_lnum, character = x.end_col } },
    severity = x.severity, message = x.message, source = x.source, code = code_of(x),
  }
end
if d then
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(mistakes) },
    range = lsp_diag(d).range,
    context = { diagnostics = { lsp_diag(d) }, only = { 'quickfix' } },
  }
  local resp = vim.lsp.buf_request_sync(mistakes, 'textDocument/codeAction', params, 5000) or {}
  local action
  for _, r in pairs(resp) do
    for _, a in ipairs(r.result or {}) do
      if a.title == 'Add /resources' then action = a end
    end
  end
  check(action ~= nil and action.kind == 'quickfix', 'codeAction offers the quick fix "Add /resources"')
  if action and not action.edit then
    local rr = vim.lsp.buf_request_sync(mistakes, 'codeAction/resolve', action, 5000) or {}
    for _, r in pairs(rr) do if r.result then action = r.result end end
  end
  if action and action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')
  end
  local fixed = vim.api.nvim_buf_get_lines(mistakes, nr_line, nr_line + 1, false)[1]
  check(fixed == nr_text .. '/resources', 'the quick fix ends the URL in /resources in the buffer', fixed)
  local gone = vim.wait(5000, function() return find_diag(mistakes, 'workspace-url-missing-resources', nr_line) == nil end, 20)
  check(gone and find_diag(mistakes, 'workspace-url-insecure', in_line) ~= nil,
    'after the edit the diagnostic is re-published without it (the others stay)')
else
  check(false, 'quick fix (no diagnostic to fix)')
end

-- 4. the live file: same root dir, same client; hover card with live counts
vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/live/catalog-info.yaml'))
local live = vim.api.nvim_get_current_buf()
vim.bo[live].filetype = 'yaml'
local lc = iacm.client(live)
check(lc ~= nil and lc.id == client.id, 'a second catalog file under the same root reuses the client')
local prod_line, prod_text = line_of(live, 'prod_ws/')
local hover = ''
local function hover_text()
  local params = { textDocument = { uri = vim.uri_from_bufnr(live) }, position = { line = prod_line, character = prod_text:find('https') + 10 } }
  local resp = vim.lsp.buf_request_sync(live, 'textDocument/hover', params, 5000) or {}
  for _, r in pairs(resp) do
    if r.result and r.result.contents then
      return table.concat(vim.lsp.util.convert_input_to_markdown_lines(r.result.contents), '\n')
    end
  end
  return ''
end
vim.wait(10000, function()
  hover = hover_text()
  return hover:find('Resources (17) · Data Sources (2) · Outputs (6)', 1, true) ~= nil
end, 100)
check(hover:find('Resources (17) · Data Sources (2) · Outputs (6)', 1, true) ~= nil,
  'hover on the prod_ws URL shows "Resources (17) · Data Sources (2) · Outputs (6)" from the fake API',
  vim.inspect(hover:sub(1, 300)))
check(hover:find('••••••', 1, true) ~= nil and not hover:find('fakeSecretValue', 1, true),
  'hover masks a sensitive output as ••••••')

-- live diagnostics (drifted/failed/empty/not found) once the data is in
local live_ok = vim.wait(10000, function()
  return find_diag(live, 'workspace-not-found') ~= nil and find_diag(live, 'workspace-failed') ~= nil
end, 50)
local typo_line = line_of(live, 'prod_wss/')
check(live_ok and find_diag(live, 'workspace-not-found', typo_line) ~= nil,
  'live diagnostics: workspace-not-found on the typo line, workspace-failed present')

-- code lens
local lresp = vim.lsp.buf_request_sync(live, 'textDocument/codeLens', { textDocument = { uri = vim.uri_from_bufnr(live) } }, 5000) or {}
local lens_title
for _, r in pairs(lresp) do
  for _, l in ipairs(r.result or {}) do
    if l.range.start.line == prod_line and l.command and l.command.command == 'iacm.openWorkspace' then lens_title = l.command.title end
  end
end
check(lens_title == 'IaCM: 17 resources · 6 outputs · active', 'code lens on prod_ws: ' .. tostring(lens_title))

-- 5. :IacmRefresh makes new upstream requests
local function fake_requests()
  local f = io.open(env('IACM_TEST_FAKELOG'))
  if not f then return 0 end
  local s = f:read('*a'); f:close()
  return count_text(s, 'GET [^\n]*/workspaces/prod_ws%?'), count_text(s, 'WRONG KEY')
end
-- The fake logs its requests every 200 ms: wait until the count is steady.
local before, steady_since = -1, 0
vim.wait(3000, function()
  local n = fake_requests()
  if n ~= before then before, steady_since = n, vim.loop.now() end
  return n > 0 and vim.loop.now() - steady_since >= 500
end, 50)
local ok_cmd, perr = pcall(vim.cmd, 'IacmRefresh')
vim.wait(5000, function() return fake_requests() > before end, 50)
local after, wrong_key = fake_requests()
check(wrong_key == 0, 'every request to the fake carried the key from the settings (no "WRONG KEY")')
check(ok_cmd and before > 0 and after > before,
  string.format(':IacmRefresh refetches prod_ws from the fake (%d -> %d requests)', before, after), tostring(perr))
vim.wait(5000, function()
  hover = hover_text()
  return hover:find('Resources (17)', 1, true) ~= nil
end, 100)
check(hover:find('Resources (17)', 1, true) ~= nil, 'hover still shows the live card after the refresh')

-- 6. :IacmOpenWorkspace on the prod line runs the lens command; 0.7 has no
-- window/showDocument, so the server answers with a showMessage naming the URL
vim.api.nvim_win_set_cursor(0, { prod_line + 1, 0 })
messages = {}
vim.cmd('IacmOpenWorkspace')
local want = 'https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws'
local opened = vim.wait(5000, function()
  for _, m in ipairs(messages) do if m:find(want, 1, true) then return true end end
  return false
end, 20)
check(opened, ':IacmOpenWorkspace opens the prod_ws workspace (showMessage on 0.7)', vim.inspect(messages))

-- 7. go to definition: `owner: team-payments` -> the Group in teams.yaml,
-- which the server indexed at start-up without it being opened
local owner_line, owner_text = line_of(mistakes, 'owner: team-payments')
local dparams = {
  textDocument = { uri = vim.uri_from_bufnr(mistakes) },
  position = { line = owner_line, character = owner_text:find('team%-payments') + 2 },
}
local dresp = vim.lsp.buf_request_sync(mistakes, 'textDocument/definition', dparams, 5000) or {}
local target
for _, r in pairs(dresp) do
  if r.result and r.result[1] then target = r.result[1] end
end
local teams = vim.fn.readfile(dir .. '/teams.yaml')
local want_line
for i, l in ipairs(teams) do if l == '  name: team-payments' then want_line = i - 1 end end
check(target ~= nil and target.uri == vim.uri_from_fname(dir .. '/teams.yaml')
  and target.range.start.line == want_line and target.range.start.character == 8,
  'go to definition on `owner: team-payments` lands on the Group\'s name in teams.yaml', vim.inspect(target))

finish()
