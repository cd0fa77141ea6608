/* IPT-NETFLOW-MIB handler for the net-snmp agent library; the same code
 * serves the AgentX subagent (netflow-agentx) and the snmpd dlmod
 * (snmp_NETFLOW.so, "dlmod netflow /path/snmp_NETFLOW.so"). */
#ifndef NF_MIB_H
#define NF_MIB_H

/* Where /proc and /sys are (tests point them into a fake tree). NULL keeps
 * the current value. Without a call, init_netflow() takes them from the
 * environment variables NETFLOW_PROC_ROOT and NETFLOW_SYS_ROOT, else
 * /proc and /sys. */
void nf_mib_set_roots(const char *proc_root, const char *sys_root);

/* dlmod entry points (named after the "netflow" module name). */
void init_netflow(void);
void deinit_netflow(void);

#endif
