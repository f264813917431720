// The single executable dist-bin/azcm-diagnose-linux-x64. `main` reads the arguments from process.argv[2]
// on, which in a single executable are the arguments as in a script.
import { main } from '../../../../apps/azcm-diagnose/src/program.ts';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
