// Browser test of a giveaway, end to end, in Debian's Chromium driven by
// playwright-core: a member opens their electronic card on a phone (from
// their personal link), follows it to the demo's 新年礼包, claims it and sees
// a pickup code; a staff member signs in on a phone-sized screen, opens the
// redeem page and types the code (as a scanner would, ending in Enter), and
// the handover is recorded.
//
// The server and browser come from common.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PW, Server, TIMEOUT, idNumber, launch, shot } from './common.mjs';

// ---- The test -------------------------------------------------------------

describe('a gift pack claimed by a member and redeemed by staff', { concurrency: false }, () => {
  const server = new Server();
  let browser, phone, staff, code, failed = false;

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
    const mobile = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true,
                     locale: 'zh-CN' };
    phone = await browser.newContext(mobile);
    staff = await browser.newContext(mobile);
    for (const c of [phone, staff]) {
      c.setDefaultTimeout(TIMEOUT);
      c.setDefaultNavigationTimeout(TIMEOUT);
    }
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    const exit = await server.stop();
    if (failed || exit !== 0) {
      console.error(`server folder kept: ${server.dir}\n--- serve.log (end) ---\n` +
                    server.log().slice(-3000));
    } else {
      server.cleanup();
    }
  });

  step('a member claims the new-year gift pack from their card', async () => {
    // A worker joins the district's union, approved on arrival.
    const admin = server.cli(['token', 'create', 'admin']).trim();
    const auth = { 'Authorization': 'Bearer ' + admin, 'Content-Type': 'application/json' };
    let r = await fetch(`${server.base}/api/v1/orgs/110118`,
                        { method: 'PATCH', headers: auth, body: JSON.stringify({ auto_approve: true }) });
    assert.equal(r.status, 200);
    const joinToken = server.query("SELECT t.token FROM join_tokens t JOIN orgs o ON " +
                                   "o.id = t.org_id WHERE o.code = '110118' AND t.event_id IS NULL");
    r = await fetch(`${server.base}/api/v1/join/${joinToken}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '李四', id_number: idNumber(321), phone: '13900004321',
                             category: 'courier', migrant: false, consent_version: '1' }),
    });
    assert.equal(r.status, 201);
    const joined = await r.json();
    assert.equal(joined.status, 'approved');

    const page = await phone.newPage();
    await page.goto(`${server.base}/card?t=${joined.access_token}`);
    await page.waitForURL(/\/card$/);
    await page.getByRole('link', { name: '新年礼包' }).click();
    await page.waitForURL(/\/g\/\d+$/);
    assert.match(await page.locator('main').innerText(), /剩余：500 份/);
    await Promise.all([page.waitForURL(/\/g\/\d+$/),
                       page.getByRole('button', { name: '立即领取' }).click()]);
    code = (await page.locator('#pickup').innerText()).trim();
    assert.match(code, /^[2-9A-HJ-NP-Z]{10}$/);
    await page.locator('.qr svg').waitFor();
    await shot(page, 'giveaway-claimed');
    // Claiming again is refused: the page shows the same code.
    assert.equal(await page.getByRole('button', { name: '立即领取' }).count(), 0);
  });

  step('staff redeem the pickup code on the phone page', async () => {
    const p = await staff.newPage();
    await p.goto(`${server.base}/login`);
    await p.getByLabel('登录名').fill('admin');
    await p.getByLabel('密码').fill(ADMIN_PW);
    await Promise.all([p.waitForURL(/\/console$/), p.getByRole('button', { name: '登录' }).click()]);
    await p.goto(`${server.base}/console/giveaways`);
    await Promise.all([p.waitForURL(/\/console\/giveaways\/\d+$/),
                       p.getByRole('link', { name: '新年礼包' }).click()]);
    const field = p.getByLabel('取货码（扫码或输入）');
    assert.equal(await field.evaluate((e) => e === document.activeElement), true,
                 'the code field has the focus, for a scanner');
    // A scanner types the code and Enter; people may type it in lower case.
    await field.fill(code.toLowerCase());
    await Promise.all([p.waitForLoadState('load'), field.press('Enter')]);
    assert.match(await p.locator('#result').innerText(), /核销成功：李四/);
    await shot(p, 'giveaway-redeemed');
    // The same code a second time is refused.
    await p.getByLabel('取货码（扫码或输入）').fill(code);
    await Promise.all([p.waitForLoadState('load'),
                       p.getByLabel('取货码（扫码或输入）').press('Enter')]);
    assert.match(await p.locator('#result').innerText(), /已于.*核销/);
    assert.equal(server.query('SELECT count(*) FROM giveaway_claims WHERE redeemed_at IS NOT NULL'),
                 '1');
  });
});
