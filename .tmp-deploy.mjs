import { writeFileSync } from 'node:fs';
const { startDemoDeployment } = await import('./dist/src/demo/deployment.js');
const deployment = await startDemoDeployment();
writeFileSync('/tmp/demo.env', Object.entries(deployment.env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
writeFileSync('/tmp/demo-ca.pem', deployment.caPem);
console.log('ready');
process.on('SIGTERM', async () => { await deployment.close(); process.exit(0); });
setInterval(() => {}, 1 << 30);
