// Every Microsoft host the tests stand in for. The browser resolves all of them to the emulator
// and the certificate names all of them, so no test request can reach the real Microsoft.

/** Entra admin center and Azure portal hosts, per cloud. */
export const PORTAL_HOSTS = {
  'entra.microsoft.com': { cloud: 'Global', product: 'Microsoft Entra admin center' },
  'portal.azure.com': { cloud: 'Global', product: 'Microsoft Azure' },
  'entra.microsoft.us': { cloud: 'UsGovernment', product: 'Microsoft Entra admin center' },
  'portal.azure.us': { cloud: 'UsGovernment', product: 'Microsoft Azure Government' },
  'portal.azure.cn': { cloud: 'China', product: 'Microsoft Azure operated by 21Vianet' },
};

/** Sign-in (authorize, token, block page) hosts. */
export const SIGN_IN_HOSTS = [
  'login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn',
];

/** Microsoft Graph hosts. */
export const GRAPH_HOSTS = ['graph.microsoft.com', 'graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn'];

/** Where users register their security info. */
export const MY_SIGN_INS_HOSTS = ['mysignins.microsoft.com'];

export const ALL_HOSTS = [...Object.keys(PORTAL_HOSTS), ...SIGN_IN_HOSTS, ...GRAPH_HOSTS, ...MY_SIGN_INS_HOSTS];
