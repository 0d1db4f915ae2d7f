-- Neovim 0.11+ config for iacm-lsp (`:help lsp-config`). With this plugin on
-- the runtimepath:
--
--   vim.lsp.config('iacm_lsp', { settings = { iacm = { hosts = {} } } }) -- optional overrides
--   vim.lsp.enable('iacm_lsp')
--
-- Neovim 0.11 answers workspace/configuration from `settings` and also pushes
-- them with workspace/didChangeConfiguration once initialized.
return {
  cmd = { 'iacm-lsp' },
  filetypes = { 'yaml' },
  root_markers = { 'catalog-info.yaml', '.git' },
  settings = { iacm = {} },
  -- Attach only to Backstage catalog files, not to every YAML file: the
  -- server is started once on_dir is called (then root_markers is unused).
  root_dir = function(bufnr, on_dir)
    if require('iacm_lsp').is_catalog(bufnr) then
      local fname = vim.api.nvim_buf_get_name(bufnr)
      on_dir(vim.fs.root(bufnr, { '.git' }) or vim.fs.dirname(fname))
    end
  end,
}
