// `npm start`: set up, build the extension, and serve the trainer demo on localhost.
import { build, EXTENSION_DIR, WWW_DIR } from './build.mjs';
import { serveStatic } from './serve.mjs';
import { setup } from './setup.mjs';

try {
  setup();
  build();
} catch (e) {
  console.error(`[start] ${e.message}`);
  process.exit(1);
}
const wanted = Number(process.env.PORT || 8080);
const { url } = await serveStatic(WWW_DIR, wanted).catch((e) => {
  if (e.code !== 'EADDRINUSE') throw e;
  console.log(`[start] port ${wanted} is busy; using a free one`);
  return serveStatic(WWW_DIR, 0);
});
console.log(`
Registration Guard is built.

  Trainer demo:        ${url}
  Extension to load:   ${EXTENSION_DIR}
                       (chrome://extensions or edge://extensions → Developer mode → Load unpacked)

Press Ctrl+C to stop the demo server.`);
