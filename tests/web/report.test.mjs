// Browser test of the dashboard: after `unionbridge demo-data`, the Miyun
// district's first half of 2025 shows the seed's figures (94 meetings, 747
// members joined through QR codes, 10 unions founded, 18 cards), with its
// charts drawn; a figure's link leads to the records behind it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PW, Server, TIMEOUT, launch, shot, signIn } from './common.mjs';

describe('dashboard in a browser', { concurrency: false }, () => {
  const server = new Server();
  let browser, page;
  let failed = false;

  const step = (name, fn) => test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  before(async () => {
    await server.start();
    server.cli(['demo-data']);
    browser = await launch();
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    desk.setDefaultTimeout(TIMEOUT);
    desk.setDefaultNavigationTimeout(TIMEOUT);
    page = await desk.newPage();
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    const code = await server.stop();
    if (failed || code !== 0)
      console.error(`server folder kept: ${server.dir}\n--- serve.log (end) ---\n` +
                    server.log().slice(-3000));
    else
      server.cleanup();
  });

  const figure = (label) => page.locator('a.big', { hasText: label }).locator('b');

  step('the dashboard shows the half-year in figures and charts', async () => {
    await signIn(page, server.base, 'admin', ADMIN_PW);
    await page.goto(`${server.base}/console/reports?org=110118&from=2025-01-01&to=2025-06-30`);
    await page.getByRole('heading', { name: /密云区总工会/ }).waitFor();
    assert.equal(await figure('双沟通活动').innerText(), '94');
    assert.match(await page.locator('a.big', { hasText: '双沟通活动' }).innerText(),
                 /职工沟通会 90 · 企业沟通会 4/);
    assert.equal(await figure('新入会会员').innerText(), '747');
    assert.equal(await figure('新建工会').innerText(), '10');
    assert.match(await page.locator('a.big', { hasText: '新建工会' }).innerText(), /百人以上 1/);
    assert.equal(await figure('互助服务卡').innerText(), '18');
    // The charts are drawn: six months of columns, a bar per town.
    const months = page.locator('figure.chart', { hasText: '每月新入会会员' }).locator('rect');
    assert.equal(await months.count(), 6);
    const towns = page.locator('figure.chart', { hasText: '各下级组织' }).locator('rect');
    assert.equal(await towns.count(), 21);
    const box = await page.locator('figure.chart svg').first().boundingBox();
    assert.ok(box && box.width > 200 && box.height > 60, JSON.stringify(box));
    await shot(page, 'dashboard');
    // Printable: the form and the menu go away.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('form.search').isVisible(), false);
    await shot(page, 'dashboard-print');
    await page.emulateMedia({ media: 'screen' });
  });

  step('a figure leads to the records it counts', async () => {
    await Promise.all([page.waitForURL(/\/console\/foundings\?/),
                       page.locator('a.big', { hasText: '新建工会' }).click()]);
    assert.equal(await page.locator('article.case').count(), 10);
    await page.goBack();
    await Promise.all([page.waitForURL(/\/console\/events\?/),
                       page.locator('a.big', { hasText: '双沟通活动' }).click()]);
    assert.equal(await page.locator('[data-count]').innerText(), '94');
  });

  step('the server exits cleanly on SIGTERM', async () => {
    await browser.close();
    browser = null;
    const code = await server.stop();
    const log = server.log();
    for (const bad of ['AddressSanitizer', 'LeakSanitizer', 'runtime error:'])
      assert.ok(!log.includes(bad), `serve reported ${bad}:\n${log.slice(-3000)}`);
    assert.equal(code, 0, `serve exited with ${code}:\n${log.slice(-2000)}`);
  });
});
