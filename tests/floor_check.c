/* The floor check: linked with one library whole (every object of it) and only the floors
 * below it, so that a call from a floor to one above or beside it fails to link. */
int main(void)
{
    return 0;
}
