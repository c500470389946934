# interop_zone.py — zone file text (as examples/mailauth --zone and the library's zone
# resolver read it) from the records the interop tests generate.


def zone_lines(zone):
    """The lines of {name: {type: [values]}}: TXT values quoted (in strings of 200 characters
    at most), MX values [preference, host], PTR values a host name."""
    lines = []
    for name, types in zone.items():
        for t, values in types.items():
            for v in values:
                if t == 'TXT':
                    esc = v.replace('\\', '\\\\').replace('"', '\\"')
                    chunks = [esc[i:i + 200] for i in range(0, len(esc), 200)] or ['']
                    lines.append(f'{name}. 300 IN TXT ' + ' '.join(f'"{c}"' for c in chunks))
                elif t == 'MX':
                    lines.append(f'{name}. 300 IN MX {v[0]} {v[1]}.')
                elif t == 'PTR':
                    lines.append(f'{name}. 300 IN PTR {v}.')
                else:
                    lines.append(f'{name}. 300 IN {t} {v}')
    return lines


def zone_text(zone):
    """The zone file of {name: {type: [values]}}."""
    return '\n'.join(zone_lines(zone)) + '\n'


def txt_zone_text(dns):
    """The zone file of {name: txt}: one TXT record a name."""
    return zone_text({name: {'TXT': [txt]} for name, txt in dns.items()})
