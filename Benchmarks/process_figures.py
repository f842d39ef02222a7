"""What the process-level benchmark drivers in Benchmarks/ share: the release binary,
a child's CPU time, and the load average printed beside every figure."""
import os, subprocess


def winterop_path(given):
    """`given`, or the release build's winterop (built by `swift build -c release`)."""
    if given:
        return given
    out = subprocess.run(["swift", "build", "-c", "release", "--product", "winterop", "--show-bin-path"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(out, "winterop")


def cpu_seconds(pid):
    """User + system CPU time of a running process (from /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load():
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
