-- Only the user commands: starting the server is explicit, either
-- require('iacm_lsp').setup({...}) (Neovim 0.7+) or vim.lsp.enable('iacm_lsp')
-- with lsp/iacm_lsp.lua (Neovim 0.11+).
if vim.g.loaded_iacm_lsp or vim.fn.has('nvim-0.7') == 0 then return end
vim.g.loaded_iacm_lsp = true
require('iacm_lsp').create_commands()
