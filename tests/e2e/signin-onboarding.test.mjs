// First run: without an app registration the panel sends the admin to the options page, which
// guides the registration (redirect URI, a ready script), checks the Application (client) ID,
// saves it, and proves the sign-in works; the panel then reads the tenant. Sign-in errors from the
// identity platform come back as what to fix.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUITE_TIMEOUT, eventually } from './panel.mjs';
import { checkTenant, configure, flowState, openPanel, text, useApplySession, useScenario } from './apply-flow.mjs';

async function openOptions(session) {
  const page = await session.browser.context.newPage();
  await page.goto(`chrome-extension://${session.extensionId}/options.html`);
  await page.locator('body[data-state="ready"]').waitFor();
  return page;
}

describe('first run and sign-in', { timeout: SUITE_TIMEOUT }, () => {
  const session = useApplySession();

  test('without a client id the panel links to the options; a GUID saved there makes the sign-in work', async () => {
    await configure(session, null);
    const { frame } = await openPanel(session);
    await flowState(frame, 'not-configured');
    const opened = session.browser.context.waitForEvent('page');
    await frame.getByRole('button', { name: 'Set up Registration Guard' }).click();
    const options = await opened;
    await options.waitForLoadState();
    assert.equal(options.url(), `chrome-extension://${session.extensionId}/options.html`);
    await options.locator('body[data-state="ready"]').waitFor();

    assert.equal(await options.getByTestId('redirect-uri').textContent(), session.redirectUri);
    const script = await options.getByTestId('registration-script').textContent();
    assert.ok(script.includes(`-Spa @{ RedirectUris = @('${session.redirectUri}') }`), script);
    assert.match(script, /Connect-MgGraph -Environment Global/);
    assert.match(script, /'Policy\.ReadWrite\.ConditionalAccess'/);
    assert.ok((await options.locator('ol.rg-steps > li').count()) <= 5, 'five steps at most');

    const field = options.getByLabel('Application (client) ID');
    await field.fill('my app');
    await options.getByRole('button', { name: 'Save' }).click();
    await options.getByTestId('client-id-error').waitFor();
    assert.deepEqual(await session.browser.serviceWorker.evaluate(() => chrome.storage.sync.get(null)), {}, 'nothing saved');

    await field.fill(session.clientId.toUpperCase());
    await options.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => assert.equal(await text(options, '[data-testid="save-status"]'), 'Saved.'));
    const stored = await session.browser.serviceWorker.evaluate(() => chrome.storage.sync.get('settings'));
    assert.equal(stored.settings.clientId, session.clientId);
    assert.equal(stored.settings.defaultState, 'enabledForReportingButNotEnforced');

    await options.getByRole('button', { name: 'Test sign-in' }).click();
    await eventually(async () => assert.match(await text(options, '[data-testid="test-result"]'),
      /^Sign-in works: signed in as PattiF@contoso\.onmicrosoft\.com/));

    const again = await openPanel(session);
    await flowState(again.frame, 'review', { timeout: 30_000 });
  });

  test('a redirect URI registered as Web is explained with the exact URI to move', async () => {
    await useScenario(session, { extensionApp: { platform: 'web' } });
    const { frame } = await openPanel(session);
    await checkTenant(frame, 'failed');
    const message = await text(frame, '[data-testid="flow-error"]');
    assert.match(message, /registered under the wrong platform/);
    assert.ok(message.includes(session.redirectUri), message);
  });

  test('break-glass accounts are found by name through Graph and stored as object ids', async () => {
    const options = await openOptions(session);
    await options.getByLabel('Find an account').fill('Emergency');
    await options.getByRole('button', { name: 'Search' }).click();
    const add = options.getByRole('button', { name: /^Add Emergency Access 01/ });
    await add.waitFor({ timeout: 20_000 });
    await add.click();
    await options.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => assert.equal(await text(options, '[data-testid="save-status"]'), 'Saved.'));
    const stored = await session.browser.serviceWorker.evaluate(() => chrome.storage.sync.get('settings'));
    const breakGlass = session.tenant.state().breakGlass;
    assert.equal(stored.settings.breakGlass.length, 1);
    assert.ok(breakGlass.includes(stored.settings.breakGlass[0].id), JSON.stringify(stored.settings.breakGlass));
    const search = session.tenant.requests.find((r) => r.pathAndQuery.startsWith('/v1.0/users?'));
    assert.ok(search.headers.some(([name, value]) => name.toLowerCase() === 'consistencylevel' && value === 'eventual'));
  });

  test('declining the consent prompt is a cancellation: back to "Check", no error banner', async () => {
    await useScenario(session, { extensionApp: { consented: false } });
    session.tenant.update((state) => { state.consentAnswer = 'Decline'; });
    const { frame } = await openPanel(session);
    await checkTenant(frame, ['idle', 'failed']);
    assert.equal(await flowState(frame, 'idle'), 'idle');
    assert.equal(await frame.getByTestId('flow-error').count(), 0);
    assert.equal(await frame.getByRole('alert').count(), 0);
  });

  test('Sign out in the panel forgets every token', async () => {
    const { frame } = await openPanel(session);
    await checkTenant(frame);
    const stored = () => session.browser.serviceWorker.evaluate(async () => Object.keys(await chrome.storage.session.get(null)));
    assert.deepEqual(await stored(), ['session']);
    await frame.getByRole('button', { name: 'Sign out' }).click();
    await flowState(frame, 'idle');
    assert.deepEqual(await stored(), []);
    assert.match(await text(frame, '[data-testid="flow-notice"]'), /^Signed out/);
  });
});
