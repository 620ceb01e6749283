# Connection settings of the test databases (sourced by start.sh, stop.sh
# and run-phpt.sh; fixtures/db.inc has the same defaults for PHP).
export RASP_DB_DIR=${RASP_DB_DIR:-/tmp/rasp-test-db}
export RASP_MYSQL_HOST=127.0.0.1
export RASP_MYSQL_PORT=${RASP_MYSQL_PORT:-13306}
export RASP_MYSQL_SOCKET=$RASP_DB_DIR/mariadb/mariadb.sock
export RASP_MYSQL_DB=rasptest
export RASP_MYSQL_USER=rasp
export RASP_MYSQL_PASSWORD=rasp-pw
export RASP_MYSQL_ROOT_PASSWORD=root-pw
export RASP_PG_HOST=127.0.0.1
export RASP_PG_PORT=${RASP_PG_PORT:-15432}
export RASP_PG_DB=rasptest
export RASP_PG_USER=rasp
export RASP_PG_PASSWORD=rasp-pw
export RASP_PG_ROOT_PASSWORD=postgres-pw
