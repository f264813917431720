// /usr/bin/agent-gateway of the Debian package: the configuration file is the package's conffile by default,
// for the service and for the CLI alike.
import { runAgentGateway } from './run-agent-gateway.ts';

runAgentGateway('/etc/agent-gateway/agent-gateway.json');
