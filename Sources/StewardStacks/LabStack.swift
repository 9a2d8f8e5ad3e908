/// The bundled `lab` stack: real software from Debian's packages (`zookeeper`,
/// `redis-server`, `nginx`), its config files rendered from templates. Each
/// host is a loopback address of its own (127.0.1.1-3, the agents' `--address`),
/// so that every member binds the standard ports, as on real machines.
/// `steward demo --stack lab` runs it; docs/stacks.md describes it.
enum LabStack {
    static let json = #"""
    {
      "name": "lab",
      "version": "1.0",
      "description": "Real software from Debian's packages: a ZooKeeper ensemble, Redis with replicas, nginx. Each host is a loopback address of its own.",
      "cluster": {
        "id": 1,
        "name": "lab",
        "description": "Lab cluster of three hosts on 127.0.1.1-3",
        "hosts": [
          {
            "name": "host-1",
            "address": "127.0.1.1"
          },
          {
            "name": "host-2",
            "address": "127.0.1.2"
          },
          {
            "name": "host-3",
            "address": "127.0.1.3"
          }
        ]
      },
      "services": [
        {
          "name": "ZooKeeper",
          "description": "A three-member ZooKeeper ensemble.",
          "version": "3.8",
          "depends_on": [],
          "configurations": [
            {
              "name": "tick_time_ms",
              "type": "INT",
              "default": "2000",
              "min": 100,
              "max": 60000,
              "description": "ZooKeeper's tickTime: the unit of its timeouts."
            }
          ],
          "roles": [
            {
              "name": "QuorumPeer",
              "description": "A member of the ensemble; healthy only as leader or follower.",
              "hosts": [
                "host-1",
                "host-2",
                "host-3"
              ],
              "process": {
                "start": [
                  "java",
                  "-Xmx{heap_mb}m",
                  "-Dzookeeper.log.dir={instance_dir}",
                  "-cp",
                  "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar",
                  "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                  "{conf_dir}/zoo.cfg"
                ],
                "requires": [
                  {
                    "path": "/usr/share/java/zookeeper.jar",
                    "package": "zookeeper"
                  },
                  {
                    "command": "java",
                    "package": "default-jre-headless"
                  }
                ],
                "check": {
                  "type": "tcp",
                  "port_parameter": "client_port",
                  "send": "srvr\n",
                  "expect": [
                    "Mode: leader",
                    "Mode: follower"
                  ],
                  "timeout_seconds": 2
                },
                "start_timeout_seconds": 120,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {
                  "name": "client_port",
                  "type": "PORT",
                  "default": "2181",
                  "description": "Client port, bound on the host's address."
                },
                {
                  "name": "quorum_port",
                  "type": "PORT",
                  "default": "2888",
                  "description": "Followers connect to the leader here."
                },
                {
                  "name": "election_port",
                  "type": "PORT",
                  "default": "3888",
                  "description": "Leader election."
                },
                {
                  "name": "heap_mb",
                  "type": "INT",
                  "default": "256",
                  "min": 64,
                  "max": 65536,
                  "description": "JVM heap (-Xmx), MiB."
                }
              ],
              "config_files": [
                {
                  "name": "zoo.cfg",
                  "format": "template",
                  "template": "# Rendered by Steward for {{instance.role}}@{{instance.host}} (myid {{instance.ordinal}})\ntickTime={{values.tick_time_ms}}\ninitLimit=10\nsyncLimit=5\n# dataDir is the conf dir, so that the rendered myid file is inside it.\ndataDir={{paths.conf_dir}}\nclientPort={{values.client_port}}\nclientPortAddress={{host.address}}\nadmin.enableServer=false\n4lw.commands.whitelist=srvr,ruok,mntr\n{{#roles.QuorumPeer}}\nserver.{{ordinal}}={{address}}:{{values.quorum_port}}:{{values.election_port}}\n{{/roles.QuorumPeer}}\n"
                },
                {
                  "name": "myid",
                  "format": "template",
                  "template": "{{instance.ordinal}}\n"
                }
              ]
            }
          ]
        },
        {
          "name": "Redis",
          "description": "A Redis primary with two replicas that follow it.",
          "version": "7.0",
          "depends_on": [],
          "configurations": [
            {
              "name": "requirepass",
              "type": "PASSWORD",
              "default": "steward-lab",
              "max_length": 128,
              "description": "Password of every Redis server (requirepass; replicas use it as masterauth). No \" or \\\\."
            },
            {
              "name": "appendonly",
              "type": "BOOL",
              "default": "false",
              "description": "Keep an append-only file in the instance's directory."
            }
          ],
          "roles": [
            {
              "name": "RedisPrimary",
              "description": "Takes the writes.",
              "hosts": [
                "host-1"
              ],
              "process": {
                "start": [
                  "redis-server",
                  "{conf_dir}/redis.conf"
                ],
                "requires": [
                  {
                    "command": "redis-server",
                    "package": "redis-server"
                  }
                ],
                "check": {
                  "type": "tcp",
                  "port_parameter": "port"
                },
                "start_timeout_seconds": 30,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {
                  "name": "port",
                  "type": "PORT",
                  "default": "6379",
                  "description": "Port, bound on the host's address."
                }
              ],
              "config_files": [
                {
                  "name": "redis.conf",
                  "format": "template",
                  "template": "# Rendered by Steward for {{instance.role}}@{{instance.host}}\nbind {{host.address}}\nport {{values.port}}\nprotected-mode no\ndaemonize no\nlogfile \"\"\ndir {{paths.instance_dir}}\nsave \"\"\nappendonly {{#values.appendonly}}yes{{/values.appendonly}}{{^values.appendonly}}no{{/values.appendonly}}\nrequirepass \"{{values.requirepass}}\"\nmasterauth \"{{values.requirepass}}\"\n"
                }
              ]
            },
            {
              "name": "RedisReplica",
              "description": "Follows the primary (replicaof).",
              "hosts": [
                "host-2",
                "host-3"
              ],
              "process": {
                "start": [
                  "redis-server",
                  "{conf_dir}/redis.conf"
                ],
                "requires": [
                  {
                    "command": "redis-server",
                    "package": "redis-server"
                  }
                ],
                "check": {
                  "type": "tcp",
                  "port_parameter": "port"
                },
                "start_timeout_seconds": 30,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {
                  "name": "port",
                  "type": "PORT",
                  "default": "6379",
                  "description": "Port, bound on the host's address."
                }
              ],
              "config_files": [
                {
                  "name": "redis.conf",
                  "format": "template",
                  "template": "# Rendered by Steward for {{instance.role}}@{{instance.host}}\nbind {{host.address}}\nport {{values.port}}\nprotected-mode no\ndaemonize no\nlogfile \"\"\ndir {{paths.instance_dir}}\nsave \"\"\nappendonly {{#values.appendonly}}yes{{/values.appendonly}}{{^values.appendonly}}no{{/values.appendonly}}\nrequirepass \"{{values.requirepass}}\"\nmasterauth \"{{values.requirepass}}\"\n{{#roles.RedisPrimary}}\nreplicaof {{address}} {{values.port}}\n{{/roles.RedisPrimary}}\n"
                }
              ]
            }
          ]
        },
        {
          "name": "Nginx",
          "description": "nginx on every host, its configuration rendered from parameters.",
          "version": "1.22",
          "depends_on": [],
          "configurations": [],
          "roles": [
            {
              "name": "NginxServer",
              "description": "Answers HTTP on the host's address.",
              "hosts": [
                "host-1",
                "host-2",
                "host-3"
              ],
              "process": {
                "start": [
                  "nginx",
                  "-e",
                  "{instance_dir}/error.log",
                  "-p",
                  "{instance_dir}",
                  "-c",
                  "{conf_dir}/nginx.conf",
                  "-g",
                  "daemon off;"
                ],
                "requires": [
                  {
                    "command": "nginx",
                    "package": "nginx"
                  }
                ],
                "check": {
                  "type": "http",
                  "port_parameter": "listen_port",
                  "path": "/health"
                },
                "start_timeout_seconds": 30,
                "stop_timeout_seconds": 10
              },
              "configurations": [
                {
                  "name": "listen_port",
                  "type": "PORT",
                  "default": "80",
                  "min": 1,
                  "max": 65535,
                  "description": "HTTP port, on the host's address."
                },
                {
                  "name": "worker_processes",
                  "type": "INT",
                  "default": "1",
                  "min": 1,
                  "max": 64,
                  "description": "nginx worker processes."
                }
              ],
              "config_files": [
                {
                  "name": "nginx.conf",
                  "format": "template",
                  "template": "# Rendered by Steward for {{instance.role}}@{{instance.host}}\nworker_processes {{values.worker_processes}};\npid {{paths.instance_dir}}/nginx.pid;\nerror_log {{paths.instance_dir}}/error.log warn;\nevents { worker_connections 1024; }\nhttp {\n  access_log {{paths.instance_dir}}/access.log;\n  client_body_temp_path {{paths.instance_dir}}/client_body_temp;\n  proxy_temp_path {{paths.instance_dir}}/proxy_temp;\n  fastcgi_temp_path {{paths.instance_dir}}/fastcgi_temp;\n  uwsgi_temp_path {{paths.instance_dir}}/uwsgi_temp;\n  scgi_temp_path {{paths.instance_dir}}/scgi_temp;\n  server {\n    listen {{host.address}}:{{values.listen_port}};\n    default_type text/plain;\n    location = /health { return 200 \"ok\\n\"; }\n    location / { return 200 \"Steward lab: nginx on {{host.name}} ({{host.address}})\\n\"; }\n  }\n}\n"
                }
              ]
            }
          ]
        }
      ]
    }
    """#
}
