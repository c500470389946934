/* dkim_test_keys.h — test keys shared by the DKIM unit tests: the RSA key of RFC 6376
 * appendix C (also RFC 8463 appendix A's "test" key) in PKCS#1 and PKCS#8 PEM, the Ed25519
 * key of RFC 8032 §7.1 test 1 (RFC 8463's "brisbane" key) as a raw seed and as PKCS#8, a
 * 512-bit RSA key for the minimum-size rule, and the key records that publish them. */
#ifndef DKIM_TEST_KEYS_H
#define DKIM_TEST_KEYS_H

#define DKIM_TEST_UNUSED __attribute__((unused))

static const char rsa_pkcs1_pem[] DKIM_TEST_UNUSED =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi\n"
    "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM\n"
    "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\n"
    "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm\n"
    "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe\n"
    "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy\n"
    "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc\n"
    "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy\n"
    "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd\n"
    "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a\n"
    "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst\n"
    "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe\n"
    "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL\n"
    "-----END RSA PRIVATE KEY-----\n";
static const char rsa_pkcs8_pem[] DKIM_TEST_UNUSED =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBAOQeU5CgFPNZGIaz\n"
    "lXo2k/eJ1jpaTTxrmqF1HrDLlt04pvaMtCJj8nXoliLRC/H9vJjMI1vdb3XLcW60\n"
    "AIN/PBD8EL97/y4GwJH7LPUvGP48vqUe+owqszesbiGy1PlCO8c70/OjFnJVgvMF\n"
    "87YR4Lcincb7aSvI5MgpP6X8rjDdAgMBAAECgYAfRzE6EVkODNdaEOGcAkPDmziu\n"
    "g5c3g6GOJdrxbtjeuFfcUmqYlI+4Lw329CbpJVtosAThIbmYsy54eWHgpd98Sm4s\n"
    "SI2n1Kzc7hh8uJCltGoTtOblLEqO+9Chll7MeiuKY5oKFEvaK3juK5bHPFKJEy/h\n"
    "z6PvQaJZ3FefF7hSgQJBAPMkH/RTnxbtFnLp6cZWPaRYXvfYKhYVlbOLUWJy52sE\n"
    "WjLrdDByjCmgJrMq29kYw2U9acLvH/qjwZy5J7SBrbECQQDwLs+Kk+bX/V9NFC+P\n"
    "Wj90OZmnbjfTjhk3LGOD78483ShYJtcgbHJa+ZlteuI5ahIAslOMTESCtocSCdey\n"
    "y6TtAkEAuXkgKxgy7qEzE7veCd81rI2A/F1YVXpntQucrJXsdJVgXSGBg4eN5h72\n"
    "Boy2IliijTMY34vcAC00/2G6qRaXMQJATVqWJwh5WWjV76onoyCqvRDsBrt9qVnj\n"
    "jxxxtIVgQ8PqgXGI6X1j2x72Jgdkop8hyy2jsNTDX+HPYKTg3kmuBQJBALIq942+\n"
    "POSR3weNizRLAzR8+MrXr//moNnZSIMac564TPEEMCvnXxnxUVtHjWKfdbhjfIIO\n"
    "BCUuVwROtL7Nhws=\n"
    "-----END PRIVATE KEY-----\n";
static const char rsa512_pem[] DKIM_TEST_UNUSED =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA7FWsxtErplpRzzuo\n"
    "3KFmPg8uI1zrgckp4kIBr2BYRVYggZHEJqVtfFWhANkCK47F1m/yhc7pnBa17J8T\n"
    "Tt9LIQIDAQABAkAEkad0dIjGf4qDWiDqmwgx/PMkZeB7strnb+U+cbtjI7yahjk8\n"
    "rz+BRxZGLMP5xUXqXY5zNWHE/8u9IlM105MRAiEA/9wIl+ALck+wrbXWHKaImQ+B\n"
    "G6exeu+326x7sIisQQ0CIQDsduWPGQqwG1ms7QyQjKbep+xztSHhxBkyj7vdl13l\n"
    "ZQIgeAmoMnDXjfLbRjRIVrq+3WiLvwjG2JF85eAfS6xjfEUCIQCEIA82vOxO6Ilb\n"
    "6XxKzHx1Duk84enTp2nY6Z00PN63TQIhAOAEda9m+ZisfPVE94lg1rhel70yKMU2\n"
    "HJTXWwFVMuLp\n"
    "-----END PRIVATE KEY-----\n";
static const char ed25519_pkcs8_pem[] DKIM_TEST_UNUSED =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char ed25519_seed_b64[] DKIM_TEST_UNUSED = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
static const char rsa_record[] DKIM_TEST_UNUSED =
    "v=DKIM1; k=rsa; "
    "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+"
    "2kryOTIKT+l/K4w3QIDAQAB";
static const char ed25519_record[] DKIM_TEST_UNUSED = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
static const char rsa512_record[] DKIM_TEST_UNUSED =
    "v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAOxVrMbRK6ZaUc87qNyhZj4PLiNc64HJKeJCAa9gWEVWIIGRxCalbXxVoQDZAiuOxdZv8oXO6ZwWteyfE07fSyECAwEAAQ==";

#endif
