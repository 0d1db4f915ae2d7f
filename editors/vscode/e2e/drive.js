// Drives the VS Code workbench served by code-server with headless Chromium (playwright-core).
// Started by run.sh. Env: CS_URL (workbench URL with ?folder=), SHOTS (screenshot dir),
// KEY (API key the fake Harness API accepts), CHROMIUM (browser executable).
// Prints a PASS/FAIL line per check and "N passed, M failed"; exit 0 only when all passed.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CS_URL = process.env.CS_URL;
const SHOTS = process.env.SHOTS;
const KEY = process.env.KEY;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const FILE = 'catalog-info.yaml';        // in the workspace's mistakes/ folder
const GOOD_LINE = 28;                     // "good: …/prod_ws/resources"
const FIX_LINE = 29;                      // "no-resources: …/prod_ws" (workspace-url-missing-resources)
const CODE = 'workspace-url-missing-resources';
const HOVER_TEXT = 'Resources (17)';
const LENS_TEXT = 'IaCM: 17 resources · 6 outputs · active';

let passed = 0;
let failed = 0;
const text = (s) => s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();

(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions'],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.setDefaultTimeout(30000);
  // Only 127.0.0.1 (the workbench); anything else is aborted.
  await ctx.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());

  const shot = async (name, clip) => {
    const opts = { path: path.join(SHOTS, `vscode-${name}.png`) };
    if (clip) {
      const box = await page.locator(clip).first().boundingBox().catch(() => null);
      if (box) opts.clip = box;
    }
    await page.screenshot(opts).catch((e) => console.log(`  (screenshot ${name} failed: ${e.message.split('\n')[0]})`));
  };
  const check = async (name, fn) => {
    const t = Date.now();
    try {
      const detail = await fn();
      passed++;
      console.log(`PASS ${name} (${Date.now() - t} ms)${detail ? `: ${detail}` : ''}`);
      return true;
    } catch (e) {
      failed++;
      page.setDefaultTimeout(5000); // the later checks depend on this one: fail them fast
      console.log(`FAIL ${name} (${Date.now() - t} ms): ${e.message.split('\n')[0]}`);
      await shot(`fail-${passed + failed}`);
      return false;
    }
  };
  const editor = () => page.locator('.editor-group-container .monaco-editor').first();
  const gotoLine = async (n, end) => {
    // Focus the editor by clicking inside its visible area (the line layer may be scrolled away).
    const box = await editor().boundingBox();
    await page.mouse.click(box.x + Math.min(300, box.width / 2), box.y + 40);
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type(String(n));
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    if (end) await page.keyboard.press('End');
  };
  const lineText = async (needle) => text(await editor().locator('.view-line', { hasText: needle }).first().innerText());
  const palette = async (title) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  };

  try {
    await check('workbench loads with the examples/ workspace', async () => {
      await page.goto(CS_URL, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
      await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="mistakes"]').first().waitFor({ timeout: 90000 });
    });

    await check(`open mistakes/${FILE}`, async () => {
      await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="mistakes"]').first().click();
      await page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${FILE}"]`).first().click();
      await editor().locator('.view-line', { hasText: 'harness.io/workspace-url' }).first().waitFor();
    });

    await check('error squiggle from iacm-lsp', async () => {
      await gotoLine(FIX_LINE, true);
      await editor().locator('.squiggly-error').first().waitFor({ timeout: 60000 });
      return `${await editor().locator('.squiggly-error').count()} squiggles rendered`;
    });
    await shot('squiggle');

    await check(`Problems panel lists ${CODE}`, async () => {
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: CODE }).first();
      await row.waitFor();
      return text(await row.innerText()).slice(0, 160);
    });
    await shot('problems');

    await check('status bar says "IaCM: no key" before the key is set', async () => {
      await page.locator('.statusbar-item', { hasText: 'IaCM: no key' }).first().waitFor();
    });

    await check('"IaCM: Set Harness API Key" from the command palette', async () => {
      await page.keyboard.press('Control+Shift+M'); // close the Problems panel again
      await gotoLine(GOOD_LINE, false);
      await palette('IaCM: Set Harness API Key');
      const input = page.locator('.quick-input-widget input[type="password"]');
      await input.waitFor();
      await input.fill(KEY);
      await page.keyboard.press('Enter');
      const item = page.locator('.statusbar-item', { hasText: 'IaCM: abc123' }).first();
      await item.waitFor();
      return `status bar: ${text(await item.innerText())}`;
    });

    await check(`hover card on a workspace URL shows "${HOVER_TEXT}" from the fake API`, async () => {
      await gotoLine(GOOD_LINE, false);
      const line = editor().locator('.view-line', { hasText: 'prod_ws/resources' }).first();
      const box = await line.boundingBox();
      const hover = page.locator('.monaco-hover-content', { hasText: HOVER_TEXT }).first();
      // Point at the URL (after "good: "); retry a few positions in case the first lands on a gap.
      for (const x of [250, 320, 400, 480]) {
        await page.mouse.move(box.x + x, box.y + box.height / 2);
        try { await hover.waitFor({ state: 'visible', timeout: 8000 }); break; } catch { await page.mouse.move(5, 5); }
      }
      await hover.waitFor({ state: 'visible', timeout: 5000 });
      return text(await hover.innerText()).slice(0, 160);
    });
    await shot('hover', '.editor-group-container');

    await check(`code lens "${LENS_TEXT}"`, async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      const lens = editor().locator('.codelens-decoration', { hasText: LENS_TEXT }).first();
      await lens.waitFor();
      return text(await lens.innerText());
    });
    await shot('codelens', '.editor-group-container');

    await check(`quick fix for ${CODE} with Ctrl+. adds /resources`, async () => {
      await gotoLine(FIX_LINE, false);
      const before = await lineText('no-resources:');
      if (before.endsWith('/resources')) throw new Error(`line already ends in /resources: ${before}`);
      await gotoLine(FIX_LINE, true);
      await page.keyboard.press('Control+.');
      await page.locator('.action-widget .monaco-list-row', { hasText: /resources/i }).first().waitFor({ state: 'attached' });
      // Keyboard, like a user: move the focus to the "/resources" fix, then Enter.
      let title = '';
      for (let i = 0; i < 12; i++) {
        title = text(await page.locator('.action-widget .monaco-list-row.focused').first().innerText().catch(() => ''));
        if (/resources/i.test(title)) break;
        await page.keyboard.press('ArrowDown');
      }
      if (!/resources/i.test(title)) throw new Error(`no "/resources" fix in the menu (focused: ${title})`);
      await shot('quickfix-menu', '.editor-group-container');
      await page.keyboard.press('Enter');
      const deadline = Date.now() + 15000;
      let after = before;
      while (Date.now() < deadline) {
        after = await lineText('no-resources:');
        if (after.endsWith('prod_ws/resources')) return `"${title}" -> ${after.slice(after.indexOf('/workspaces/'))}`;
        await page.waitForTimeout(200);
      }
      throw new Error(`line did not change to …/resources: ${after}`);
    });
    await shot('after-fix', '.editor-group-container');
  } catch (e) {
    failed++;
    console.log(`FAIL driver error: ${e.message.split('\n')[0]}`);
  } finally {
    await shot('final');
    await ctx.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
