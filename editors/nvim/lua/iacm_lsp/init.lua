-- iacm-lsp for Neovim 0.7+: starts the iacm-lsp language server for
-- Backstage catalog files and adds :IacmRefresh and :IacmOpenWorkspace.
--
--   require('iacm_lsp').setup({
--     cmd = { 'iacm-lsp' },
--     settings = { iacm = { hosts = {}, diagnostics = {} } },
--   })
--
-- On Neovim 0.11+ you can use lsp/iacm_lsp.lua with vim.lsp.enable instead.
local M = {}

M.name = 'iacm_lsp'

local defaults = {
  cmd = { 'iacm-lsp' },
  settings = { iacm = {} },
  -- Files to attach to: YAML whose name is a catalog file name, or whose first
  -- `detect_lines` lines name an `apiVersion: ...backstage.io/...`.
  detect_lines = 20,
  root_markers = { '.git' },
  on_attach = nil,
  capabilities = nil,
}

M.config = vim.deepcopy(defaults)

-- root_dir -> client id (one client per root)
local clients = {}

-- Neovim 0.11 made client methods take `self` (client:request); before,
-- they were closures (client.request).
local method_style = vim.fn.has('nvim-0.11') == 1
local function call(client, name, ...)
  if method_style then return client[name](client, ...) end
  return client[name](...)
end

local function all_clients()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get()
end

--- Whether a buffer is a Backstage catalog file.
function M.is_catalog(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  if name == 'catalog-info.yaml' or name == 'catalog-info.yml'
    or name:match('%.catalog%-info%.ya?ml$') then
    return true
  end
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, M.config.detect_lines, false)
  for _, line in ipairs(lines) do
    if line:match('^%s*apiVersion:%s*["\']?[%w%.%-]*backstage%.io/') then
      return true
    end
  end
  return false
end

--- The root directory for a file: the nearest folder upwards holding one of
--- `root_markers`, else the file's own folder.
function M.root_dir(fname)
  local dir = vim.fn.fnamemodify(fname, ':p:h')
  local cur = dir
  while cur and cur ~= '' do
    for _, marker in ipairs(M.config.root_markers or {}) do
      local p = cur .. '/' .. marker
      if vim.fn.isdirectory(p) == 1 or vim.fn.filereadable(p) == 1 then
        return cur
      end
    end
    local parent = vim.fn.fnamemodify(cur, ':h')
    if parent == cur then break end
    cur = parent
  end
  return dir
end

local function settings()
  local s = vim.deepcopy(M.config.settings or {})
  s.iacm = s.iacm or {}
  if s.iacm.apiKey == nil then
    local key = os.getenv('HARNESS_API_KEY')
    if key and key ~= '' then s.iacm.apiKey = key end
  end
  return s
end

local function start(root)
  local id = clients[root]
  local existing = id and vim.lsp.get_client_by_id(id)
  if existing and not call(existing, 'is_stopped') then
    return id
  end
  local s = settings()
  id = vim.lsp.start_client({
    name = M.name,
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = s,
    settings = s,
    capabilities = M.config.capabilities,
    on_init = function(client)
      -- Neovim 0.7 does not answer workspace/configuration: push the settings.
      call(client, 'notify', 'workspace/didChangeConfiguration', { settings = client.config.settings })
    end,
    on_attach = M.config.on_attach,
    on_exit = function()
      if clients[root] == id then clients[root] = nil end
    end,
  })
  clients[root] = id
  return id
end

--- Attaches the server to `bufnr` when it is a catalog file; returns the client id.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= '' or not M.is_catalog(bufnr) then return nil end
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == '' then return nil end
  local id = start(M.root_dir(fname))
  if id and not vim.lsp.buf_is_attached(bufnr, id) then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- The iacm-lsp client attached to `bufnr`, if any.
function M.client(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  -- Our own clients first: Neovim 0.7 lists a client as active only once
  -- it is initialized, get_client_by_id also finds it before.
  for _, id in pairs(clients) do
    local c = vim.lsp.get_client_by_id(id)
    if c and vim.lsp.buf_is_attached(bufnr, id) then return c end
  end
  for _, c in pairs(all_clients()) do
    if c.name == M.name and vim.lsp.buf_is_attached(bufnr, c.id) then return c end
  end
  return nil
end

local function notify(msg, level)
  vim.notify('iacm-lsp: ' .. msg, level or vim.log.levels.INFO)
end

local function execute(client, bufnr, command, arguments, callback)
  call(client, 'request', 'workspace/executeCommand', { command = command, arguments = arguments },
    function(err, result)
      if err then notify(command .. ' failed: ' .. (err.message or tostring(err)), vim.log.levels.ERROR) end
      if callback then callback(err, result) end
    end, bufnr)
end

--- :IacmRefresh: drop the cached workspace data and fetch it again.
function M.refresh(bufnr, callback)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.client(bufnr)
  if not client then return notify('not attached to this buffer', vim.log.levels.WARN) end
  execute(client, bufnr, 'iacm.refresh', {}, callback)
end

local function on_line(range, line)
  return range and range.start.line <= line and range['end'].line >= line
end

--- :IacmOpenWorkspace: runs the code lens command of the workspace URL on the
--- cursor's line (the server asks the editor to open it, or shows the URL).
function M.open_workspace(bufnr, line, callback)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  line = line or (vim.api.nvim_win_get_cursor(0)[1] - 1)
  local client = M.client(bufnr)
  if not client then return notify('not attached to this buffer', vim.log.levels.WARN) end
  local doc = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  local function open(url)
    if not url then
      notify('no workspace URL on this line', vim.log.levels.WARN)
      if callback then callback('no workspace URL on this line') end
      return
    end
    execute(client, bufnr, 'iacm.openWorkspace', { url }, callback)
  end
  local function from_links()
    call(client, 'request', 'textDocument/documentLink', doc, function(err, links)
      for _, link in ipairs((not err and links) or {}) do
        if on_line(link.range, line) and link.target then return open(link.target) end
      end
      open(nil)
    end, bufnr)
  end
  call(client, 'request', 'textDocument/codeLens', doc, function(err, lenses)
    for _, lens in ipairs((not err and lenses) or {}) do
      if on_line(lens.range, line) and lens.command and lens.command.command == 'iacm.openWorkspace'
        and lens.command.arguments and lens.command.arguments[1] then
        return open(lens.command.arguments[1])
      end
    end
    from_links()
  end, bufnr)
end

--- Defines :IacmRefresh and :IacmOpenWorkspace (also done by plugin/iacm_lsp.lua,
--- for the Neovim 0.11 `vim.lsp.enable('iacm_lsp')` route).
function M.create_commands()
  vim.api.nvim_create_user_command('IacmRefresh', function() M.refresh(0) end,
    { desc = 'iacm-lsp: refresh the live workspace data' })
  vim.api.nvim_create_user_command('IacmOpenWorkspace', function() M.open_workspace(0) end,
    { desc = 'iacm-lsp: open the workspace on this line in Harness' })
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  if opts and opts.cmd then M.config.cmd = opts.cmd end -- lists are replaced, not merged
  if opts and opts.root_markers then M.config.root_markers = opts.root_markers end

  local group = vim.api.nvim_create_augroup('iacm_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'yaml',
    callback = function(args) M.attach(args.buf) end,
  })
  M.create_commands()

  -- Buffers already open when setup runs.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.bo[b].filetype == 'yaml' then M.attach(b) end
  end
end

return M
