declare module 'nsyslog-parser' {
  interface NsyslogResult {
    type: string;
    prival: number;
    facility: string;
    level: string;
    version?: number;
    ts: string | Date;
    host: string;
    appName: string;
    pid: string;
    messageid: string;
    message: string;
    structuredData: Array<Record<string, string>>;
  }
  function parse(line: string, options?: object): NsyslogResult;
  export default parse;
}
