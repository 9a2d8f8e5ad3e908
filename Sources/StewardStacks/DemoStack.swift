/// The bundled demo stack: three services whose role process is the `steward`
/// binary itself (`steward role`), so that it runs on any machine with Steward.
/// Every instance binds a real port; ports are distinct so that one machine
/// can run the whole cluster. Embedded so that the single binary needs no files.
enum DemoStack {
    static let json = #"""
    {
      "name": "demo",
      "version": "1.0",
      "description": "Steward's demo stack: real processes that need nothing but Steward.",
      "cluster": {
        "id": 1,
        "name": "demo",
        "description": "Demo cluster of three hosts",
        "hosts": ["host-1", "host-2", "host-3"]
      },
      "services": [
        {
          "name": "Coordinator",
          "description": "Keeps the cluster's shared state; everything else depends on it.",
          "version": "1.0",
          "depends_on": [],
          "configurations": [
            {"name": "log_level", "type": "ENUM", "default": "INFO", "allowed": ["DEBUG", "INFO", "WARN", "ERROR"],
             "description": "Log level of every Coordinator process."},
            {"name": "session_timeout_ms", "type": "INT", "default": "30000", "min": 1000, "max": 600000,
             "description": "How long a client session lives without a heartbeat."}
          ],
          "roles": [
            {
              "name": "CoordinatorServer",
              "description": "A member of the coordination quorum.",
              "hosts": ["host-1", "host-2", "host-3"],
              "process": {
                "start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                "start_timeout_seconds": 30,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {"name": "port", "type": "PORT", "default": "21100", "description": "Client port the server listens on."},
                {"name": "startup_delay_ms", "type": "INT", "default": "0", "min": 0, "max": 600000,
                 "description": "Time the process takes before it listens (simulates a slow start)."}
              ],
              "instances": {
                "host-1": {"port": "21101"},
                "host-2": {"port": "21102"},
                "host-3": {"port": "21103"}
              },
              "config_files": [{"name": "role.json", "format": "json"}, {"name": "role.properties", "format": "properties"}]
            }
          ]
        },
        {
          "name": "Storage",
          "description": "Stores blocks on every host; the master keeps the namespace.",
          "version": "1.0",
          "depends_on": ["Coordinator"],
          "configurations": [
            {"name": "replication", "type": "INT", "default": "3", "min": 1, "max": 3,
             "description": "Copies kept of every block."}
          ],
          "roles": [
            {
              "name": "StorageMaster",
              "description": "Keeps the namespace and the block map.",
              "hosts": ["host-1"],
              "process": {
                "start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                "start_timeout_seconds": 30,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {"name": "port", "type": "PORT", "default": "21200", "description": "RPC port of the master."},
                {"name": "startup_delay_ms", "type": "INT", "default": "0", "min": 0, "max": 600000,
                 "description": "Time the process takes before it listens (simulates a slow start)."}
              ],
              "instances": {"host-1": {"port": "21201"}},
              "config_files": [{"name": "role.json", "format": "json"}]
            },
            {
              "name": "StorageNode",
              "description": "Stores blocks on its host.",
              "hosts": ["host-1", "host-2", "host-3"],
              "process": {
                "start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                "start_timeout_seconds": 30,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {"name": "port", "type": "PORT", "default": "21210", "description": "Data transfer port of the node."},
                {"name": "startup_delay_ms", "type": "INT", "default": "0", "min": 0, "max": 600000,
                 "description": "Time the process takes before it listens (simulates a slow start)."}
              ],
              "instances": {
                "host-1": {"port": "21211"},
                "host-2": {"port": "21212"},
                "host-3": {"port": "21213"}
              },
              "config_files": [{"name": "role.json", "format": "json"}]
            }
          ]
        },
        {
          "name": "Gateway",
          "description": "Serves clients in front of Storage.",
          "version": "1.0",
          "depends_on": ["Storage"],
          "configurations": [
            {"name": "max_connections", "type": "INT", "default": "256", "min": 1, "max": 65536,
             "description": "Client connections accepted at once."}
          ],
          "roles": [
            {
              "name": "GatewayServer",
              "description": "Accepts client connections.",
              "hosts": ["host-2", "host-3"],
              "process": {
                "start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                "start_timeout_seconds": 30,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {"name": "port", "type": "PORT", "default": "21300", "description": "Client port of the gateway."},
                {"name": "startup_delay_ms", "type": "INT", "default": "0", "min": 0, "max": 600000,
                 "description": "Time the process takes before it listens (simulates a slow start)."}
              ],
              "instances": {
                "host-2": {"port": "21302"},
                "host-3": {"port": "21303"}
              },
              "config_files": [{"name": "role.json", "format": "json"}]
            }
          ]
        }
      ]
    }
    """#
}
