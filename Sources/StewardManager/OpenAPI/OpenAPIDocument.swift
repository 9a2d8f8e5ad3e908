/// The OpenAPI 3 document of the whole API, served at `/web/v1/openapi.yaml`
/// and printed by `steward openapi`. A test checks that every route the
/// manager serves is documented here and every documented operation is served.
enum OpenAPIDocument {
    static let yaml = #"""
    openapi: 3.0.3
    info:
      title: Steward API
      version: "0.1.0"
      description: |
        Steward's HTTP API: the MRS Manager / FusionInsight Manager /web/v1 endpoints it is
        compatible with, the endpoints Steward adds, the CAS login flow and the agent protocol.
        Every /web/v1 response is the envelope {id, state, error_code, error_description,
        total_progress, res_obj}; a refusal is a 4xx with state FAILED and a code from
        docs/errors.md.
    servers:
      - url: /
    security:
      - basicAuth: []
      - tokenAuth: []
      - cookieAuth: []
    paths:
      /healthz:
        get:
          operationId: healthz
          summary: Liveness; no credentials, a fixed body.
          security: []
          responses:
            "200":
              description: The manager runs.
              content:
                text/plain:
                  schema: {type: string}
      /:
        get:
          operationId: webUI
          summary: The web UI's page; its data comes from the API with the web session cookie.
          security: []
          responses:
            "200": {$ref: "#/components/responses/Html"}
            "304": {description: Not modified since the ETag given in If-None-Match.}
      /ui/{file}:
        get:
          operationId: webUIFile
          summary: A script, style sheet or image of the web UI.
          security: []
          parameters:
            - {name: file, in: path, required: true, schema: {type: string}}
          responses:
            "200":
              description: The file.
              content:
                text/javascript:
                  schema: {type: string}
                text/css:
                  schema: {type: string}
                image/svg+xml:
                  schema: {type: string}
            "304": {description: Not modified since the ETag given in If-None-Match.}
            default: {$ref: "#/components/responses/Failure"}
      /web/modify_password.html:
        get:
          operationId: webModifyPasswordPage
          summary: The password change page that the CAS login page links to.
          security: []
          responses:
            "200": {$ref: "#/components/responses/Html"}
            "304": {description: Not modified since the ETag given in If-None-Match.}
      /web/v1/ping:
        get:
          operationId: ping
          summary: A fixed envelope, to check credentials.
          responses:
            "200": {$ref: "#/components/responses/Empty"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/openapi.yaml:
        get:
          operationId: openapi
          summary: This document.
          responses:
            "200":
              description: The OpenAPI document.
              content:
                application/yaml:
                  schema: {}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/clusters:
        get:
          operationId: listClusters
          summary: The clusters (reference).
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [clusters]
                            properties:
                              clusters:
                                type: array
                                items: {$ref: "#/components/schemas/ClusterSummary"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/cluster/{cluster_id}/status:
        parameters: [{$ref: "#/components/parameters/ClusterId"}]
        get:
          operationId: clusterHealth
          summary: Health of the cluster, GOOD or BAD (reference).
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [state]
                            properties:
                              state: {type: string, enum: [GOOD, BAD]}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/cluster/{cluster_id}/services:
        parameters: [{$ref: "#/components/parameters/ClusterId"}]
        get:
          operationId: listServices
          summary: Every service with its status.
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [services]
                            properties:
                              services:
                                type: array
                                items: {$ref: "#/components/schemas/ServiceView"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/cluster/{cluster_id}/services/{service_name}:
        parameters: [{$ref: "#/components/parameters/ClusterId"}, {$ref: "#/components/parameters/ServiceName"}]
        get:
          operationId: serviceSummary
          summary: Key properties of a service (reference).
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [key_property]
                            properties:
                              key_property:
                                type: array
                                items:
                                  type: object
                                  required: [name, value, type]
                                  properties:
                                    name: {type: string}
                                    value: {type: string}
                                    type: {type: string, enum: [STATUS, TEXT]}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/cluster/{cluster_id}/services/{service_name}/configurations:
        parameters: [{$ref: "#/components/parameters/ClusterId"}, {$ref: "#/components/parameters/ServiceName"}]
        get:
          operationId: serviceConfigurations
          summary: Parameters of a service at every level, with values, defaults and validity.
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [service_name, parameters]
                            properties:
                              service_name: {type: string}
                              parameters:
                                type: array
                                items: {$ref: "#/components/schemas/ParameterView"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/cluster/{cluster_id}/hosts:
        parameters: [{$ref: "#/components/parameters/ClusterId"}]
        get:
          operationId: listHosts
          summary: Every host and its agent.
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [hosts]
                            properties:
                              hosts:
                                type: array
                                items: {$ref: "#/components/schemas/HostView"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/cluster/{cluster_id}/instances:
        parameters: [{$ref: "#/components/parameters/ClusterId"}]
        get:
          operationId: listInstances
          summary: Role instances with status and effective configuration (passwords masked).
          parameters:
            - name: service_name
              in: query
              required: false
              schema: {type: string}
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [instances]
                            properties:
                              instances:
                                type: array
                                items: {$ref: "#/components/schemas/InstanceView"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/maintain/cluster/{cluster_id}/service/{service_name}/start:
        parameters: [{$ref: "#/components/parameters/ClusterId"}, {$ref: "#/components/parameters/ServiceName"}]
        post:
          operationId: startService
          parameters: [{$ref: "#/components/parameters/DryRun"}]
          summary: Start a service; only_self false starts what it depends on first (reference). Operator.
          requestBody: {$ref: "#/components/requestBodies/ServiceAction"}
          responses:
            "200": {$ref: "#/components/responses/Accepted"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/maintain/cluster/{cluster_id}/service/{service_name}/stop:
        parameters: [{$ref: "#/components/parameters/ClusterId"}, {$ref: "#/components/parameters/ServiceName"}]
        post:
          operationId: stopService
          parameters: [{$ref: "#/components/parameters/DryRun"}]
          summary: Stop a service; only_self false stops what depends on it first (reference). Operator.
          requestBody: {$ref: "#/components/requestBodies/ServiceAction"}
          responses:
            "200": {$ref: "#/components/responses/Accepted"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/maintain/cluster/{cluster_id}/service/{service_name}/restart:
        parameters: [{$ref: "#/components/parameters/ClusterId"}, {$ref: "#/components/parameters/ServiceName"}]
        post:
          operationId: restartService
          parameters: [{$ref: "#/components/parameters/DryRun"}]
          summary: Restart a service and, unless only_self, its dependents. Operator.
          requestBody: {$ref: "#/components/requestBodies/ServiceAction"}
          responses:
            "200": {$ref: "#/components/responses/Accepted"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/config/cluster/{cluster_id}/save:
        parameters: [{$ref: "#/components/parameters/ClusterId"}]
        post:
          operationId: saveConfiguration
          parameters: [{$ref: "#/components/parameters/DryRun"}]
          summary: Save configuration at service, role and instance level (reference). Operator.
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/SaveConfigurationRequest"}
          responses:
            "200": {$ref: "#/components/responses/Accepted"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/common/command/{command_id}/progress:
        parameters:
          - name: command_id
            in: path
            required: true
            schema: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}
        get:
          operationId: commandProgress
          summary: >-
            Progress of a command, step by step (reference). With Accept text/event-stream, one
            event per change until a terminal state; with wait and version, a long poll.
          parameters:
            - {name: wait, in: query, required: false, description: Seconds to wait for a newer version (long poll)., schema: {type: integer, minimum: 0, maximum: 60}}
            - {name: version, in: query, required: false, description: The X-Progress-Version already seen., schema: {type: integer, minimum: 0}}
          responses:
            "200":
              description: The command's progress; X-Progress-Version is its version.
              headers:
                X-Progress-Version: {schema: {type: integer}}
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj: {$ref: "#/components/schemas/ProgressDocument"}
                text/event-stream:
                  schema: {type: string}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/common/command/{command_id}/abort:
        parameters:
          - {name: command_id, in: path, required: true, schema: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}}
        post:
          operationId: abortCommand
          summary: Abort a running command; its agents stop the tasks' processes for real; it ends FAILED (14005). Operator.
          responses:
            "200": {$ref: "#/components/responses/Accepted"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/common/command/{command_id}/retry:
        parameters:
          - {name: command_id, in: path, required: true, schema: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}}
        post:
          operationId: retryCommand
          summary: A new command for only the failed tasks of a FAILED command. Operator.
          responses:
            "200": {$ref: "#/components/responses/Accepted"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/common/command/{command_id}/tasks/{task_id}/output:
        parameters:
          - {name: command_id, in: path, required: true, schema: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}}
          - {name: task_id, in: path, required: true, schema: {type: integer, format: int64, minimum: 1, maximum: 9223372036854775807}}
        get:
          operationId: taskOutput
          summary: A task's output (stdout and stderr tail), exit status and times; live while it runs.
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [task_id, command_id, instance, operation, state, output]
                            properties:
                              task_id: {type: integer, format: int64}
                              command_id: {type: integer, format: int64}
                              instance: {type: string}
                              operation: {type: string, enum: [START, STOP]}
                              state: {type: string}
                              exit_code: {type: integer}
                              detail: {type: string}
                              output: {type: string}
                              start_time: {type: integer, format: int64}
                              end_time: {type: integer, format: int64}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/common/commands:
        get:
          operationId: listCommands
          summary: Command history, newest first, with filters and paging.
          parameters:
            - {name: state, in: query, required: false, schema: {type: string, enum: [IN_PROGRESS, COMPLETE, FAILED]}}
            - {name: kind, in: query, required: false, schema: {type: string, enum: [START_SERVICE, STOP_SERVICE, RESTART_SERVICE, SAVE_CONFIGURATION]}}
            - {name: service_name, in: query, required: false, schema: {type: string}}
            - {name: user, in: query, required: false, schema: {type: string}}
            - {name: from, in: query, required: false, schema: {type: integer, format: int64, minimum: 0}}
            - {name: to, in: query, required: false, schema: {type: integer, format: int64, minimum: 0}}
            - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 500}}
            - {name: offset, in: query, required: false, schema: {type: integer, minimum: 0}}
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [total, commands]
                            properties:
                              total: {type: integer}
                              commands:
                                type: array
                                items: {$ref: "#/components/schemas/CommandSummary"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/access/login_check:
        get:
          operationId: loginCheck
          summary: Establish the web session from CASTGC, a session, or Basic (reference).
          security: [{basicAuth: []}, {cookieAuth: []}, {casAuth: []}]
          responses:
            "200":
              description: Logged in; Set-Cookie carries the web session.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/LoginCheck"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/logout_action:
        get:
          operationId: logoutAction
          summary: End the web session; answers the CAS logout URL (reference).
          parameters:
            - name: is_timeout_logout
              in: query
              required: false
              schema: {type: string}
          responses:
            "200": {$ref: "#/components/responses/Object"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/access/modify_self_password:
        post:
          operationId: modifySelfPassword
          summary: Change the password of the current user (reference; query string or JSON body).
          parameters:
            - {name: old_password, in: query, required: false, schema: {type: string}}
            - {name: new_password, in: query, required: false, schema: {type: string}}
            - {name: confirm_password, in: query, required: false, schema: {type: string}}
          requestBody:
            required: false
            content:
              application/json:
                schema: {$ref: "#/components/schemas/PasswordChange"}
          responses:
            "200":
              description: Changed.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/PasswordChangeResult"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/access/users:
        get:
          operationId: listUsers
          summary: Every user, without passwords. Admin.
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [users]
                            properties:
                              users:
                                type: array
                                items: {$ref: "#/components/schemas/UserView"}
            default: {$ref: "#/components/responses/Failure"}
        post:
          operationId: createUser
          summary: Create a user; without a password one is generated and shown once. Admin.
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/CreateUserRequest"}
          responses:
            "200":
              description: Created.
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [user]
                            properties:
                              user: {$ref: "#/components/schemas/UserView"}
                              initial_password: {type: string}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/access/users/{user_name}:
        parameters:
          - {name: user_name, in: path, required: true, schema: {type: string}}
        put:
          operationId: updateUser
          summary: Change a user's role or reset its password. Admin.
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/UpdateUserRequest"}
          responses:
            "200":
              description: Updated.
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            allOf:
                              - $ref: "#/components/schemas/UserView"
                              - properties:
                                  initial_password: {type: string, description: "Only after reset_password: the generated password, shown once."}
            default: {$ref: "#/components/responses/Failure"}
        delete:
          operationId: deleteUser
          summary: Remove a user (not yourself, not the last admin). Admin.
          responses:
            "200": {$ref: "#/components/responses/Empty"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/audit:
        get:
          operationId: auditLog
          summary: The audit log, newest first, with filters. Admin.
          parameters:
            - {name: user, in: query, required: false, schema: {type: string}}
            - {name: action, in: query, required: false, schema: {type: string}}
            - {name: result, in: query, required: false, schema: {type: string, enum: [SUCCESS, FAILURE]}}
            - {name: from, in: query, required: false, description: ms since the epoch, schema: {type: integer, format: int64, minimum: 0}}
            - {name: to, in: query, required: false, description: ms since the epoch, schema: {type: integer, format: int64, minimum: 0}}
            - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 1000}}
            - {name: offset, in: query, required: false, schema: {type: integer, minimum: 0}}
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [entries]
                            properties:
                              entries:
                                type: array
                                items: {$ref: "#/components/schemas/AuditEntry"}
            default: {$ref: "#/components/responses/Failure"}
      /web/v1/monitor/metrics_info:
        get:
          operationId: metricsInfo
          summary: Host metrics collected by the agents, kept for a window (reference).
          parameters:
            - {name: metric_names, in: query, required: true, description: "Up to 10, comma separated: hm_cpu_used, hm_cpu_core_num, hm_mem_total, hm_mem_used, hm_mem_usage, hm_disk_total, hm_disk_used, hm_disk_usage, hm_net_read, hm_net_write.", schema: {type: string}}
            - {name: metric_period, in: query, required: false, schema: {type: string, enum: [REAL_TIME, 5MIN, 30MIN, 60MIN]}}
            - {name: start_time, in: query, required: false, schema: {type: integer, format: int64, minimum: 0}}
            - {name: end_time, in: query, required: false, schema: {type: integer, format: int64, minimum: 0}}
            - {name: hosts, in: query, required: false, schema: {type: string}}
            - {name: host_group, in: query, required: false, description: Not available (as in the reference)., schema: {type: string}}
            - {name: metric_node_type, in: query, required: false, schema: {type: string, enum: [active, standby, all]}}
            - {name: extend, in: query, required: false, schema: {type: string}}
          responses:
            "200":
              description: OK
              content:
                application/json:
                  schema:
                    allOf:
                      - $ref: "#/components/schemas/Envelope"
                      - properties:
                          res_obj:
                            type: object
                            required: [metric_datas]
                            properties:
                              metric_datas:
                                type: object
                                additionalProperties:
                                  type: array
                                  items:
                                    type: object
                                    required: [time, value, node]
                                    properties:
                                      time: {type: integer, format: int64}
                                      value: {type: string}
                                      node: {type: string}
            default: {$ref: "#/components/responses/Failure"}
      /metrics:
        get:
          operationId: prometheusMetrics
          summary: The manager's own metrics in Prometheus exposition format (scrape with basic_auth).
          responses:
            "200":
              description: Prometheus text format.
              content:
                text/plain:
                  schema: {type: string}
            default: {$ref: "#/components/responses/Failure"}
      /cas/login:
        get:
          operationId: casLoginPage
          summary: The CAS login page; the first Set-Cookie is casSessionId, the page carries the lt ticket.
          security: []
          parameters:
            - {name: service, in: query, required: false, schema: {type: string}}
          responses:
            "200": {$ref: "#/components/responses/Html"}
        post:
          operationId: casLogin
          summary: CAS form login; on success the last Set-Cookie is CASTGC and a service gets a ticket (reference).
          security: [{casSession: []}]
          parameters:
            - {name: service, in: query, required: false, schema: {type: string}}
          requestBody:
            required: true
            content:
              application/x-www-form-urlencoded:
                schema:
                  type: object
                  properties:
                    username: {type: string}
                    password: {type: string}
                    lt: {type: string}
                    _eventId: {type: string}
                    submit: {type: string}
          responses:
            "200": {$ref: "#/components/responses/Html"}
            "302": {description: Logged in; redirected to the service with a ticket.}
            "400": {$ref: "#/components/responses/Html"}
            "401": {$ref: "#/components/responses/Html"}
            "413": {description: Form too large.}
            "429": {$ref: "#/components/responses/Html"}
      /cas/logout:
        post:
          operationId: casLogout
          summary: End the CAS ticket and its web sessions (reference).
          security: [{casAuth: []}]
          responses:
            "200": {$ref: "#/components/responses/Html"}
        get:
          operationId: casLogoutPage
          summary: The same, for a browser link.
          security: [{casAuth: []}]
          responses:
            "200": {$ref: "#/components/responses/Html"}
      /web/cas_security_check.htm:
        get:
          operationId: casSecurityCheck
          summary: The CAS service; trades a service ticket for the web session cookie.
          security: []
          parameters:
            - {name: ticket, in: query, required: false, schema: {type: string}}
            - {name: next, in: query, required: false, description: "A path on this manager to go to instead of login_check (the web UI's).", schema: {type: string}}
          responses:
            "302": {description: The web session is set; redirected to next or login_check.}
            default: {$ref: "#/components/responses/Failure"}
      /agent/v1/register:
        post:
          operationId: agentRegister
          summary: An agent announces its host and its instances.
          security: [{agentToken: []}]
          requestBody: {$ref: "#/components/requestBodies/AgentMessage"}
          responses:
            "200": {$ref: "#/components/responses/Object"}
            default: {$ref: "#/components/responses/Failure"}
      /agent/v1/poll:
        post:
          operationId: agentPoll
          summary: Long poll for tasks; acknowledges the previous answer's tasks.
          security: [{agentToken: []}]
          requestBody: {$ref: "#/components/requestBodies/AgentMessage"}
          responses:
            "200": {$ref: "#/components/responses/Object"}
            default: {$ref: "#/components/responses/Failure"}
      /agent/v1/result:
        post:
          operationId: agentResult
          summary: The outcome of a task.
          security: [{agentToken: []}]
          requestBody: {$ref: "#/components/requestBodies/AgentMessage"}
          responses:
            "200": {$ref: "#/components/responses/Object"}
            default: {$ref: "#/components/responses/Failure"}
      /agent/v1/output:
        post:
          operationId: agentOutput
          summary: The output of a running task so far.
          security: [{agentToken: []}]
          requestBody: {$ref: "#/components/requestBodies/AgentMessage"}
          responses:
            "200": {$ref: "#/components/responses/Object"}
            default: {$ref: "#/components/responses/Failure"}
      /agent/v1/heartbeat:
        post:
          operationId: agentHeartbeat
          summary: Status of every instance of the host.
          security: [{agentToken: []}]
          requestBody: {$ref: "#/components/requestBodies/AgentMessage"}
          responses:
            "200": {$ref: "#/components/responses/Object"}
            default: {$ref: "#/components/responses/Failure"}
    components:
      securitySchemes:
        basicAuth: {type: http, scheme: basic}
        tokenAuth: {type: apiKey, in: header, name: X-Auth-Token, description: The token of login_check (also as Authorization Bearer).}
        cookieAuth: {type: apiKey, in: cookie, name: JSESSIONID}
        casAuth: {type: apiKey, in: cookie, name: CASTGC}
        casSession: {type: apiKey, in: cookie, name: casSessionId}
        agentToken: {type: http, scheme: bearer, description: The cluster's agent token (agent.token in the manager's data directory).}
      parameters:
        ClusterId:
          name: cluster_id
          in: path
          required: true
          schema: {type: integer, minimum: 0, maximum: 2147483647}
        DryRun:
          name: dry_run
          in: query
          required: false
          description: "true: answer the plan (steps and tasks) and run nothing."
          schema: {type: string, enum: ["true", "false"]}
        ServiceName:
          name: service_name
          in: path
          required: true
          schema: {type: string}
      requestBodies:
        ServiceAction:
          required: false
          content:
            application/json:
              schema:
                type: object
                properties:
                  user_password: {type: string, nullable: true, description: Accepted and ignored.}
                  only_self: {type: boolean, description: "false: also the services it depends on (start), or that depend on it (stop, restart). Default true."}
        AgentMessage:
          required: true
          content:
            application/json:
              schema: {type: object}
      responses:
        Failure:
          description: Refused; the envelope with state FAILED and a catalogue code (docs/errors.md).
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Envelope"}
            text/html:
              schema: {type: string}
        Accepted:
          description: The command was created; its id and current state.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Envelope"}
        Empty:
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Envelope"}
        Object:
          description: OK
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Envelope"}
        Html:
          description: A page.
          content:
            text/html:
              schema: {type: string}
      schemas:
        Envelope:
          type: object
          required: [id, state, error_code, error_description, total_progress]
          properties:
            id: {type: integer, format: int64, description: "The command id, or -1."}
            state: {type: string, enum: [IN_PROGRESS, COMPLETE, FAILED]}
            error_code: {type: integer}
            error_description: {type: string}
            total_progress: {type: number, minimum: 0, maximum: 100}
            res_obj: {description: "The result; on a rejected configuration (12001-12003), `problems`: each bad value with service_name, role_name, host_name, name and message."}
        ClusterSummary:
          type: object
          required: [id, name]
          properties:
            stack: {type: string}
            id: {type: integer}
            name: {type: string}
            description: {type: string}
            version: {type: string}
            cluster_state: {type: string}
            stack_model: {type: string}
            lic_state: {type: string}
        ServiceView:
          type: object
          required: [name, operational_status, health_status]
          properties:
            name: {type: string}
            description: {type: string}
            version: {type: string}
            depends_on: {type: array, items: {type: string}}
            operational_status: {type: string, enum: [STARTED, STOPPED, PARTIALLY_STARTED, UNKNOWN]}
            health_status: {type: string, enum: [GOOD, BAD, UNKNOWN]}
            running_command: {type: integer, format: int64}
            roles: {type: array, items: {type: string}}
        HostView:
          type: object
          required: [host_name, status]
          properties:
            host_name: {type: string}
            status: {type: string, enum: [CONNECTED, LOST]}
            last_heartbeat: {type: integer, format: int64}
            agent_version: {type: string}
            instances: {type: array, items: {type: string}}
        InstanceView:
          type: object
          required: [name, service_name, role_name, host_name, operational_status, health_status, config_stale, configurations]
          properties:
            name: {type: string}
            service_name: {type: string}
            role_name: {type: string}
            host_name: {type: string}
            operational_status: {type: string, enum: [STARTED, STOPPED, UNKNOWN]}
            health_status: {type: string, enum: [GOOD, BAD, UNKNOWN]}
            pid: {type: integer}
            config_stale: {type: boolean}
            configurations: {type: object, additionalProperties: {type: string}}
        ParameterView:
          type: object
          required: [name, level, value, default_value, type, item_conf]
          properties:
            name: {type: string}
            level: {type: string, enum: [SERVICE, ROLE, INSTANCE]}
            role_name: {type: string}
            host_name: {type: string}
            value: {type: string}
            default_value: {type: string}
            type: {type: string}
            description: {type: string}
            item_conf: {type: string}
            allowed_values: {type: array, items: {type: string}, description: "ENUM only: the values a save accepts."}
            min: {type: integer, description: "INT and PORT only, when bounded: the least value a save accepts."}
            max: {type: integer, description: "INT and PORT only, when bounded: the greatest value a save accepts."}
        ConfigurationItem:
          type: object
          properties:
            name: {type: string}
            value:
              oneOf: [{type: string}, {type: integer}, {type: boolean}]
        SaveConfigurationRequest:
          type: object
          required: [configurations_summary]
          properties:
            id: {type: integer, format: int64}
            user_password: {type: string}
            configurations_summary:
              type: object
              properties:
                restart_affected_components: {type: boolean}
                components:
                  type: array
                  items:
                    type: object
                    properties:
                      component_name: {type: string}
                      configurations: {type: array, items: {$ref: "#/components/schemas/ConfigurationItem"}}
                      children:
                        type: array
                        items:
                          type: object
                          properties:
                            role_name: {type: string}
                            configurations: {type: array, items: {$ref: "#/components/schemas/ConfigurationItem"}}
                            children:
                              type: array
                              items:
                                type: object
                                properties:
                                  node:
                                    type: object
                                    properties:
                                      host_name: {type: string}
                                  configurations: {type: array, items: {$ref: "#/components/schemas/ConfigurationItem"}}
        ProgressDocument:
          type: object
          required: [cluster_id, step_list, fail_entity_list, total_step_size]
          properties:
            cluster_id: {type: integer}
            total_step_size: {type: integer, minimum: 0}
            command_kind: {type: string}
            service_name: {type: string}
            user: {type: string}
            create_time: {type: integer, format: int64}
            end_time: {type: integer, format: int64}
            step_list:
              type: array
              items:
                type: object
                required: [name, description]
                properties:
                  name: {type: string}
                  description: {type: string}
                  state: {type: string, enum: [PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED]}
                  progress: {type: integer, minimum: 0, maximum: 100}
                  start_time: {type: integer, format: int64}
                  end_time: {type: integer, format: int64}
                  tasks:
                    type: array
                    items:
                      type: object
                      required: [id, instance, host, operation, state]
                      properties:
                        id: {type: integer, format: int64}
                        instance: {type: string}
                        service: {type: string}
                        role: {type: string}
                        host: {type: string}
                        operation: {type: string, enum: [START, STOP]}
                        state: {type: string, enum: [PENDING, RUNNING, SUCCEEDED, FAILED, SKIPPED]}
                        error_code: {type: integer}
                        detail: {type: string}
                        exit_code: {type: integer}
                        output_tail: {type: string}
                        start_time: {type: integer, format: int64}
                        end_time: {type: integer, format: int64}
            fail_entity_list:
              type: array
              items:
                type: object
                required: [fail_entity, operation_type]
                properties:
                  fail_entity: {type: string}
                  operation_type: {type: string, enum: [START, STOP]}
        LoginCheck:
          allOf:
            - $ref: "#/components/schemas/Envelope"
            - type: object
              required: [modify_pwd, exist_cluster, remind_pwd, ref_URL, token, user_name, role]
              properties:
                modify_pwd: {type: boolean}
                exist_cluster: {type: boolean}
                remind_pwd: {type: boolean}
                ref_URL: {type: string}
                token: {type: string}
                user_name: {type: string, description: "Steward's addition: the user logged in."}
                role: {type: string, enum: [admin, operator, viewer], description: "Steward's addition: the user's role."}
        PasswordChange:
          type: object
          properties:
            old_password: {type: string}
            new_password: {type: string}
            confirm_password: {type: string}
        PasswordChangeResult:
          allOf:
            - $ref: "#/components/schemas/Envelope"
            - type: object
              required: [int_result_code, result_desc]
              properties:
                int_result_code: {type: integer}
                result_desc: {type: string}
        UserView:
          type: object
          required: [user_name, role, modify_pwd, create_time]
          properties:
            user_name: {type: string}
            role: {type: string, enum: [admin, operator, viewer]}
            modify_pwd: {type: boolean}
            create_time: {type: integer, format: int64}
        CreateUserRequest:
          type: object
          required: [user_name, role]
          properties:
            user_name: {type: string, minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9._-]+$"}
            role: {type: string, enum: [admin, operator, viewer]}
            password: {type: string, nullable: true, description: "Absent or null: one is generated and returned once."}
        UpdateUserRequest:
          type: object
          properties:
            role: {type: string, nullable: true, enum: [admin, operator, viewer, null], description: "Absent or null: unchanged."}
            password: {type: string, nullable: true, description: "Absent or null: unchanged; else reset (changed at next login)."}
            reset_password: {type: boolean, description: "true (without password): reset to a generated password, returned once as initial_password."}
        CommandSummary:
          type: object
          required: [id, kind, target, user, state, error_code, total_progress, total_step_size, create_time]
          properties:
            id: {type: integer, format: int64}
            kind: {type: string}
            target: {type: string}
            services: {type: array, items: {type: string}}
            user: {type: string}
            state: {type: string, enum: [IN_PROGRESS, COMPLETE, FAILED]}
            error_code: {type: integer}
            error_description: {type: string}
            total_progress: {type: integer}
            total_step_size: {type: integer}
            create_time: {type: integer, format: int64}
            end_time: {type: integer, format: int64}
        AuditEntry:
          type: object
          required: [id, at, user, source, action, target, result, http_status, error_code]
          properties:
            id: {type: integer, format: int64}
            at: {type: integer, format: int64}
            user: {type: string}
            source: {type: string}
            action: {type: string}
            target: {type: string}
            result: {type: string, enum: [SUCCESS, FAILURE]}
            http_status: {type: integer}
            error_code: {type: integer}
            command_id: {type: integer, format: int64}
    """#
}
