// The single executable dist-bin/agent-gateway-linux-x64: the configuration file is ./agent-gateway.json by
// default, as with the npm package.
import { runAgentGateway } from './run-agent-gateway.ts';

runAgentGateway();
