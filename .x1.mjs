import * as XLSX from 'xlsx';
const ws = XLSX.utils.aoa_to_sheet([["Title"],[],["IO","Amount","","Date"],["IO-1",1234.5,{t:'n',v:0.30000000000000004,f:'0.1+0.2'},{t:'n',v:45352,z:'m/d/yyyy'}]]);
ws['!merges']=[{s:{r:2,c:1},e:{r:2,c:2}}];
ws['E4'] = {t:'n', v:45352.5, z:'yyyy-mm-dd hh:mm'};
ws['F4'] = {t:'n', v:123456789012.34};
ws['!ref']='A1:F4';
const wb = XLSX.utils.book_new(); XLSX.utils.book_append_sheet(wb, ws, 'Buys');
for (const bt of ['xlsx','biff8','ods']) {
 const buf = XLSX.write(wb,{bookType:bt,type:'buffer'});
 const w2 = XLSX.read(buf,{type:'buffer',dense:true,cellDates:false,cellNF:true});
 const s = w2.Sheets[w2.SheetNames[0]];
 console.log(bt, s['!ref'], JSON.stringify(s['!merges']), w2.Workbook?.WBProps);
 console.log(JSON.stringify(s['!data']));
}
console.log(XLSX.SSF.is_date('m/d/yyyy'), XLSX.SSF.parse_date_code(45352.5), XLSX.SSF.parse_date_code(45352,{date1904:true}));
console.log(Object.keys(XLSX).join(' '))
