// Tokens never cross clouds, so the panel must say which cloud the admin is in.
import { describe, test } from 'node:test';
import { expectPanel, portalUrl, ROUTES, SUITE_TIMEOUT, useBrowserSession } from './panel.mjs';

const CASES = [
  { host: 'portal.azure.us', tenant: 'contoso.onmicrosoft.us', cloud: 'US Government cloud' },
  { host: 'entra.microsoft.us', tenant: 'contoso.onmicrosoft.us', cloud: 'US Government cloud' },
  { host: 'portal.azure.cn', tenant: 'contoso.partner.onmschina.cn', cloud: 'China cloud (21Vianet)' },
];

describe('the panel names the cloud', { timeout: SUITE_TIMEOUT }, () => {
  const session = useBrowserSession();

  for (const { host, tenant, cloud } of CASES) {
    test(`${host} shows "${cloud}"`, async () => {
      const page = await session.context.newPage();
      try {
        await page.goto(portalUrl(host, ROUTES.policies, tenant));
        await expectPanel(page, session.extensionId, {
          mode: 'full', summary: `Conditional Access › Policies · ${tenant} · ${cloud}`,
        });
      } finally {
        await page.close();
      }
    });
  }
});
