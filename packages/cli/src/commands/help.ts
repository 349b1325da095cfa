import { println, type Io } from '../io.js';

const CONFIG_HELP = `Config (Salt's option names, YAML):
  -c, --config-dir <dir>    read <dir>/master or <dir>/minion, then <dir>/<role>.d/*.conf (default /etc/salt)
      --config <file>       read this file instead
      --pki-dir <dir>       --cachedir <dir>   --sock-dir <dir>
      --log-file <file>     --log-file-level <level>
      --log-fmt-console json|text   --log-fmt-logfile json|text   (one JSON object per line)`;

export const HELP: Readonly<Record<string, string>> = {
  brine: `brine: Salt-compatible master and minions in TypeScript

Usage: brine <command> [options]

Commands:
  master    run a master (request and publish servers, key acceptance, local control socket)
  minion    run a minion that signs in to a master and answers jobs
  key       manage minion keys on the master, as salt-key does
  run       run a function on minions through the local master, as salt does
  demo      a master and minions in one process on loopback: keys, handshake, test.ping
  bench     measure the transports, the channel, auth and a real salt-master (see brine-bench --help)
  help      show help for a command

Options:
  -h, --help       show help
  -V, --version    show the version

Run 'brine help <command>' for a command's options.`,

  master: `Usage: brine master [options]

Runs a master until SIGINT/SIGTERM. Listens on interface:publish_port (4505) and interface:ret_port (4506)
and on local sockets in sock_dir (event bus, control socket for 'brine run').

Options:
      --transport <name>      zeromq (default), tcp or ws
  -l, --log-level <level>     all, garbage, trace, debug, profile, info, warning (default), error, critical, quiet
      --interface <addr>      address to bind (default 0.0.0.0)
      --publish-port <port>   publish port (default 4505)
      --ret-port <port>       request port (default 4506)
      --id <id>               master id (default master)
      --crypto <suite>        salt (default) or nacl
${CONFIG_HELP}`,

  minion: `Usage: brine minion [options]

Runs a minion until SIGINT/SIGTERM: connects to the master, waits for its key to be accepted, answers jobs,
and reconnects on its own. Exits 77 when the master rejects its key.

Options:
      --id <id>               minion id (required: here or 'id:' in the config)
      --master <host>         master address (default salt)
      --master-port <port>    master request port (default 4506)
      --transport <name>      zeromq (default), tcp or ws
  -l, --log-level <level>     all, garbage, trace, debug, profile, info, warning (default), error, critical, quiet
      --crypto <suite>        salt (default) or nacl
${CONFIG_HELP}`,

  key: `Usage: brine key [action] [options]

Manages minion keys in the master's pki_dir, as salt-key does. Rejecting or deleting keys asks the running
master to rotate its AES key (rotation dropfile in cachedir).

Actions (one at a time; default -L):
  -L, --list-all              list all keys
  -l, --list <state>          list keys in a state: accepted, unaccepted (pre), rejected, denied, all
  -a, --accept <glob>         accept matching pending keys     -A, --accept-all    accept all pending keys
  -r, --reject <glob>         reject matching pending keys     -R, --reject-all    reject all pending keys
  -d, --delete <glob>         delete matching keys             -D, --delete-all    delete all keys
  -f, --finger <glob>         print fingerprints               -F, --finger-all    print all fingerprints
  -p, --print <glob>          print public keys                -P, --print-all     print all public keys

Options:
  -y, --yes                   do not ask for confirmation (required when stdin is not a terminal)
      --include-rejected      accept: also rejected keys
      --include-accepted      reject: also accepted keys
      --include-denied        accept/reject: also denied keys
      --include-all           accept: also rejected keys; reject: also accepted keys
      --out <format>          key (default), json or yaml
      --log-level <level>     log level (default warning)
${CONFIG_HELP}`,

  run: `Usage: brine run [options] '<target>' <function> [arguments...]

Runs a function on the targeted minions through the running master (its control socket in sock_dir)
and prints their returns. Arguments are YAML as in salt: '1' is a number, 'key=value' a keyword argument.
Exit code: 0 when every targeted minion returned success, 1 otherwise, 2 for usage errors or no match.

Options:
  -L, --list                  the target is a comma-separated list of ids
  -E, --pcre                  the target is a regular expression
  -G, --grain                 the target is a grain glob ('os:Debian', 'roles:web*')
  -P, --grain-pcre            the target is a grain regular expression ('os:(Debian|Ubuntu)')
  -C, --compound              the target is a compound expression ('web* and G@os:Debian or L@db1')
  -N, --nodegroup             the target is a nodegroup of the master's config
  -S, --ipcidr                the target is an address or network ('10.0.0.0/8')
  -I, --pillar                the target is a pillar glob
      --delimiter <char>      delimiter of grain and pillar targets (default ':')
  -b, --batch-size <n|n%>     run on n minions (or n% of them) at a time
      --async                 publish and print the job id, do not wait for returns
  -t, --timeout <seconds>     how long to wait for returns (default: the master's timeout, 5)
      --out <format>          nested (default), json, yaml, txt or raw
      --static                print all returns at once (json/yaml/raw: one document, not one per minion)
  -l, --log-level <level>     log level (default warning)
${CONFIG_HELP}

Examples:
  brine run '*' test.ping
  brine run -L 'alpha,beta' test.echo 'hello world' --out json
  brine run 'web*' test.arg 1 two key=value
  brine run -G 'os:Debian' grains.item os osrelease
  brine run -C 'web* and G@roles:web' test.ping --out json --static`,

  demo: `Usage: brine demo [options]

Starts a master and minions in this process on 127.0.0.1 (temporary pki dirs, ports chosen by the system),
accepts the minions' keys, shows the handshake and runs test.ping and test.echo, then exits.

Options:
      --transport <name>      zeromq (default), tcp or ws
      --minions <n>           number of minions (default 3)
      --crypto <suite>        salt (default) or nacl
  -l, --log-level <level>     daemon logs on stderr (default critical: the story is on stdout; debug shows
                              every daemon's Salt-style log, each line labelled with the daemon)
      --timeout <seconds>     give up after this long (default 60)`,
};

export function helpText(command = 'brine'): string | undefined {
  return HELP[command];
}

/** `brine help [command]`. */
export async function helpCommand(argv: string[], io: Io): Promise<number> {
  const topic = argv[0] ?? 'brine';
  const text = helpText(topic);
  if (!text) {
    println(io.stderr, `brine help: no command '${topic}'`);
    println(io.stderr, HELP.brine);
    return 2;
  }
  println(io.stdout, text);
  return 0;
}
