"""What the benchmark scripts read of a process from /proc: CPU time and RSS."""
import os

TICK = os.sysconf("SC_CLK_TCK")


def cpu(pids):
    """CPU seconds (user + system) the processes have spent so far."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
