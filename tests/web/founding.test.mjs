// Browser test of the founding board (建会): staff open the board of cases
// by step, find the demo logistics company still recruiting (with its
// "committee due" alert), record its congress from the card, and see the
// card move one column on; its page then shows the timeline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PW, Server, TIMEOUT, launch, shot, signIn } from './common.mjs';

describe('founding board in a browser', { concurrency: false }, () => {
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
    browser = await launch();
    const desk = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
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

  const column = (step) => page.locator(`section.column[data-step="${step}"]`);
  const card = (step, name) => column(step).locator('article.case', { hasText: name });

  step('the board shows the cases by step, with alerts', async () => {
    await signIn(page, server.base, 'admin', ADMIN_PW);
    await page.goto(`${server.base}/console/foundings`);
    await page.getByRole('heading', { name: '建会工作' }).waitFor();
    assert.equal(await card('election_approved', '北京力方达科技发展有限公司').count(), 1);
    const c = card('recruiting', '小唐庄物流');
    assert.equal(await c.count(), 1);
    assert.match(await c.innerText(), /应选举委员会/);
    await shot(page, 'founding-board-before');
  });

  step('recording the next step on a card moves it one column on', async () => {
    const c = card('recruiting', '小唐庄物流');
    await c.getByText('推进到下一步').click();
    await c.getByLabel('日期').fill('2025-04-20');
    await c.getByLabel('大会类型').selectOption('member_assembly');
    await c.getByLabel('出席人数').fill('21');
    await Promise.all([
      page.waitForURL(/\/console\/foundings$/),
      c.getByRole('button', { name: '记录：召开大会' }).click(),
    ]);
    assert.equal(await card('recruiting', '小唐庄物流').count(), 0);
    const moved = card('congress_held', '小唐庄物流');
    assert.equal(await moved.count(), 1);
    await shot(page, 'founding-board-after');
    assert.equal(server.query("SELECT step || ' ' || attendance FROM founding_cases " +
                              "WHERE step = 'congress_held'"), 'congress_held 21');
  });

  step('the case page shows the timeline and the next step', async () => {
    await card('congress_held', '小唐庄物流').getByRole('link').first().click();
    await page.getByRole('heading', { name: /小唐庄物流/ }).waitFor();
    const items = await page.locator('ol.timeline > li > b').allInnerTexts();
    assert.deepEqual(items, ['宣传发动', '提出申请', '筹备组获批', '发展会员', '召开大会']);
    await page.getByRole('button', { name: '记录：选举工会委员会' }).waitFor();
    await shot(page, 'founding-case');
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
