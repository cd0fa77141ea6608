/* netflow-agentx: AgentX subagent serving IPT-NETFLOW-MIB from the
 * ipt_NETFLOW module's /proc and sysctl files (see nf_mib.c). */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf_mib.h"

#define APP_NAME "netflow-agentx"

static volatile sig_atomic_t running = 1;

static void on_signal(int sig)
{
	(void)sig;
	running = 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " APP_NAME " [options]\n"
"Serve IPT-NETFLOW-MIB (.1.3.6.1.4.1.37476.9000.10) to snmpd over AgentX.\n"
"\n"
"  -x, --agentx-socket ADDR  master agent socket (default: net-snmp's,\n"
"                            /var/agentx/master, or agentXSocket from\n"
"                            " APP_NAME ".conf)\n"
"  -f, --foreground          stay in the foreground, log to stderr\n"
"      --proc-root DIR       where procfs is (default /proc)\n"
"      --sys-root DIR        where sysfs is (default /sys)\n"
"      --ping SECONDS        AgentX ping interval; after snmpd restarts the\n"
"                            subagent reconnects within this (default 5)\n"
"  -D, --debug TOKENS        net-snmp debug tokens, e.g. netflow,agentx\n"
"  -h, --help                this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agentx-socket", required_argument, NULL, 'x' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "proc-root", required_argument, NULL, 'P' },
		{ "sys-root", required_argument, NULL, 'S' },
		{ "ping", required_argument, NULL, 'i' },
		{ "debug", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket = NULL, *proc = NULL, *sys = NULL;
	int foreground = 0, ping = 5, c;
	struct sigaction sa;

	while ((c = getopt_long(argc, argv, "x:fD:h", opts, NULL)) != -1) {
		switch (c) {
		case 'x':
			socket = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'P':
			proc = optarg;
			break;
		case 'S':
			sys = optarg;
			break;
		case 'i': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 3600) {
				fprintf(stderr, APP_NAME ": bad --ping %s\n",
					optarg);
				return 2;
			}
			ping = (int)v;
			break;
		}
		case 'D':
			debug_register_tokens(optarg);
			snmp_set_do_debugging(1);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if (!proc)
		proc = getenv("NETFLOW_PROC_ROOT");
	if (!sys)
		sys = getenv("NETFLOW_SYS_ROOT");
	nf_mib_set_roots(proc && *proc ? proc : "/proc",
			 sys && *sys ? sys : "/sys");

	if (foreground) {
		snmp_enable_stderrlog();
	} else {
		snmp_enable_syslog_ident(APP_NAME, LOG_DAEMON);
		if (netsnmp_daemonize(1, 0)) {
			fprintf(stderr, APP_NAME ": cannot daemonize\n");
			return 1;
		}
	}

	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
			       NETSNMP_DS_AGENT_ROLE, 1);
	if (socket)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
				      NETSNMP_DS_AGENT_X_SOCKET, socket);

	if (init_agent(APP_NAME)) {
		snmp_log(LOG_ERR, APP_NAME ": init_agent failed\n");
		return 1;
	}
	init_netflow();
	/* after init_agent(), which sets net-snmp's own default */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
			   NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, ping);
	init_snmp(APP_NAME);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	snmp_log(LOG_INFO, APP_NAME " started\n");
	while (running)
		agent_check_and_process(1);
	snmp_log(LOG_INFO, APP_NAME " stopping\n");

	deinit_netflow();
	snmp_shutdown(APP_NAME);
	return 0;
}
