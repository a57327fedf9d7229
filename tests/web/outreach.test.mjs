// Browser test of an on-site tally, in Debian's Chromium driven by
// playwright-core:
//
//   the district's wall screen shows the live board of a campaign; a town's
//   staff member at a stall taps the tally page on a phone (leaflets up,
//   one taken back, a mutual-aid card), loses the connection for two taps
//   and gets it back, reloads; the board changes by itself to exactly those
//   numbers, and the database holds each tap once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PW, STAFF_PW, Server, TIMEOUT, launch, phoneContext, shot, signIn } from './common.mjs';

describe('outreach tally and live board in a browser', { concurrency: false }, () => {
  const server = new Server();
  let browser, phone, desk, tally, board;
  let campaign, event;
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
    server.user('stall.town', 'federation', '110118001');
    const admin = server.cli(['token', 'create', 'admin']).trim();
    let r = await server.api('POST', '/api/v1/campaigns',
                             { name: '市级职工沟通会', level: 'district', org: '110118',
                               date_from: '2025-05-27', date_to: '2025-05-27' }, admin);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    campaign = r.body.id;
    for (const [org, venue] of [['110118001', '鼓楼万象汇'], ['110118002', '果园集市']]) {
      r = await server.api('POST', '/api/v1/events',
                           { campaign_id: campaign, type: 'worker_meeting', org, venue,
                             starts_at: '2025-05-27T12:00:00+08:00' }, admin);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      if (org === '110118001') event = r.body.id;
    }
    browser = await launch();
    phone = await phoneContext(browser);
    desk = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    for (const c of [phone, desk]) {
      c.setDefaultTimeout(TIMEOUT);
      c.setDefaultNavigationTimeout(TIMEOUT);
    }
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

  const headline = (label) => board.locator('.big', { hasText: label }).locator('b');
  const count = (title) => tally.locator('form.counter', { hasText: title }).locator('output');
  const tap = (title, sign) => tally.locator('form.counter', { hasText: title })
    .getByRole('button', { name: `${title} ${sign === '+' ? '加一' : '减一'}` }).tap();
  const synced = () => tally.locator('[data-pending]').waitFor({ state: 'hidden' });
  // After a reload the page asks the server for its figures: wait (10 s at
  // most) until a count shows n, then read it.
  const settled = async (title, n) => {
    await tally.waitForFunction(([t, v]) => [...document.querySelectorAll('form.counter')]
      .some((f) => f.textContent.includes(t) && f.querySelector('output').textContent === v),
    [title, n], { timeout: 10000 }).catch(() => {});
    return count(title).innerText();
  };

  step('the wall screen shows the campaign board', async () => {
    board = await desk.newPage();
    await signIn(board, server.base, 'admin', ADMIN_PW);
    await board.goto(`${server.base}/console/campaigns/${campaign}`);
    await board.getByRole('heading', { name: /市级职工沟通会/ }).waitFor();
    assert.equal(await headline('发放资料').innerText(), '0');
    assert.equal(await headline('互助卡').innerText(), '0');
    assert.equal(await board.locator('tbody tr', { hasText: '鼓楼万象汇' }).count(), 1);
    await shot(board, 'board-before');
  });

  step('staff tap the tally page on a phone', async () => {
    tally = await phone.newPage();
    await signIn(tally, server.base, 'stall.town', STAFF_PW);
    await tally.goto(`${server.base}/console/events/${event}/tally`);
    await tally.getByRole('heading', { name: '鼓楼万象汇' }).waitFor();
    const wide = await tally.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 375, `tally page is ${wide}px wide on a 375px screen`);
    const plus = await tally.locator('form.counter button.plus').first().boundingBox();
    assert.ok(plus.height >= 48 && plus.width >= 48, `a thumb-sized button: ${JSON.stringify(plus)}`);
    for (let i = 0; i < 3; i++) await tap('入会宝典', '+');
    await tap('入会宝典', '-');
    await tap('发放互助卡', '+');
    await tap('二次报销', '+');
    await synced();
    assert.equal(await count('入会宝典').innerText(), '2');
    assert.equal(await count('发放互助卡').innerText(), '1');
    await shot(tally, 'tally-phone');
  });

  step('the board changes by itself', async () => {
    await board.waitForFunction(() => {
      const b = [...document.querySelectorAll('.big')].find((x) => x.textContent.includes('发放资料'));
      return b && b.querySelector('b').textContent === '2';
    }, null, { timeout: 15000 });
    assert.equal(await headline('互助卡').innerText(), '1');
    assert.equal(await headline('咨询').innerText(), '1');
    const row = board.locator('tbody tr', { hasText: '鼓楼万象汇' });
    assert.match(await row.innerText(), /已举办/);
    await shot(board, 'board-after');
  });

  step('taps made offline are kept, sent once back online, and survive a reload', async () => {
    await phone.setOffline(true);
    await tap('入会宝典', '+');
    await tap('入会宝典', '+');
    assert.equal(await count('入会宝典').innerText(), '4');
    assert.equal(await tally.locator('[data-pending]').innerText(), '待同步 2');
    await phone.setOffline(false);
    await synced();
    await tally.reload();
    await synced();
    assert.equal(await settled('入会宝典', '4'), '4');
    // Offline again, tap, reload once back: the queued tap is sent after the reload.
    await phone.setOffline(true);
    await tap('发放互助卡', '+');
    await phone.setOffline(false);
    await tally.reload();
    await synced();
    assert.equal(await settled('发放互助卡', '2'), '2');
    assert.equal(server.query(`SELECT n FROM event_tallies WHERE event_id = ${event} ` +
                              `AND kind = 'material' AND label = '入会宝典'`), '4');
    assert.equal(server.query(`SELECT n FROM event_tallies WHERE event_id = ${event} ` +
                              `AND kind = 'cards'`), '2');
    assert.equal(server.query(`SELECT count(*) FROM event_taps WHERE event_id = ${event}`), '9');
    await board.waitForFunction(() => {
      const b = [...document.querySelectorAll('.big')].find((x) => x.textContent.includes('发放资料'));
      return b && b.querySelector('b').textContent === '4';
    }, null, { timeout: 15000 });
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
